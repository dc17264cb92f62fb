export { createTestHost, TestHost, type TestHostOptions } from './create-test-host';
export { TestSession } from './test-session';
export { loadPluginPackage, type PluginInput, type PluginSpec } from '../standalone/plugin-spec';
export type { LogRecord } from '../standalone/memory-logger';
