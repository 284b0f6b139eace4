import type { CmsApi } from '../../src/cms/types.js';

/**
 * A CmsApi for collector tests: the given methods, every other one rejecting with "not used by
 * this test", so a collector calling an interface it should not is a failure, not a hang.
 */
export function fakeCmsApi(parts: Partial<CmsApi>): CmsApi {
  const unused = (): Promise<never> => Promise.reject(new Error('interface not used by this test'));
  return {
    querySysindex: unused,
    queryCtiServerTime: unused,
    queryAccessCodeCallInfo: unused,
    queryAgentCalls: unused,
    queryBasicCallInfo: unused,
    ...parts,
  };
}
