import type { CmsPaths } from '../config/types.js';

/**
 * The interface paths of the seed documents. Deployments that publish an interface elsewhere
 * (e.g. `agentgroup/queryagentcalls`) override them with config `cms.paths`; the config loader
 * takes its defaults from here so that the two never drift apart.
 */
export const DEFAULT_CMS_PATHS: Readonly<CmsPaths> = Object.freeze({
  sysindex: '/rest/cmsapp/v1/openapi/cti/sysindex',
  ctiServerTime: '/rest/cmsapp/v1/openapi/configures/ctiservertime',
  accessCodeCallInfo: '/rest/cmsapp/v1/openapi/vdn/queryaccesscodecallinfo',
  agentCalls: '/rest/cmsapp/v1/openapi/agent/queryagentcalls',
  basicCallInfo: '/rest/cmsapp/v1/openapi/calldata/querybasiccallinfo',
});
