/**
 * Configuration: loading (file < AICC_* environment < command-line overrides), validation with
 * readable messages, the demo configuration and the schema behind the generated reference.
 */
export type * from './types.js';
export { loadConfig, demoConfig, type LoadConfigOptions, type LoadedConfig, type DemoCallCenter } from './load-config.js';
export { ConfigError, formatConfigError } from './config-error.js';
export { CONFIG_SCHEMA, LOG_LEVELS, SIGNABLE_HEADERS } from './schema.js';
export type { LeafSchema, SchemaSection, SchemaNode } from './schema-types.js';
export { renderConfigReference } from './config-reference.js';
