import type { Config } from './types.js';

/**
 * Things that are valid but probably not meant, or unsafe: said once at start-up. Warnings
 * name settings, never their secret values.
 */
export function configWarnings(config: Config): string[] {
  const warnings: string[] = [];
  const { cms, collectors } = config;
  const plainHttp = cms.url.startsWith('http://');
  if (plainHttp) {
    warnings.push('cms.url uses http://: requests, answers and signatures travel unencrypted (use https:// outside a lab)');
    if (cms.insecureSkipVerify) warnings.push('cms.insecureSkipVerify has no effect with an http:// cms.url');
    if (cms.caFile !== null) warnings.push('cms.caFile has no effect with an http:// cms.url');
  } else if (cms.insecureSkipVerify) {
    warnings.push('cms.insecureSkipVerify is true: the CMS certificate is not verified, so anyone on the path can impersonate the CMS');
    if (cms.caFile !== null) warnings.push('cms.caFile is ignored while cms.insecureSkipVerify is true');
  }
  if (cms.secretKey.trim() !== cms.secretKey) {
    warnings.push('cms.secretKey begins or ends with whitespace: check the secret (a file loses only one trailing newline)');
  }
  const enabled = Object.entries(collectors).filter(([, settings]) => settings.enabled);
  if (enabled.length === 0) warnings.push('every collector is disabled: the exporter serves only its own metrics');
  const vdns = config.callCenters.flatMap((cc) => cc.vdns);
  if (collectors.accessCodes.enabled && !vdns.some((vdn) => vdn.accessCodes.length > 0)) {
    warnings.push('collectors.accessCodes is enabled, but no VDN lists accessCodes: it has nothing to ask for');
  }
  if (collectors.agentCalls.enabled && !vdns.some((vdn) => vdn.agents.length > 0)) {
    warnings.push('collectors.agentCalls is enabled, but no VDN lists agents: it has nothing to ask for');
  }
  return warnings;
}
