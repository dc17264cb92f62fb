export { createTestHost, TestHost, type TestHostOptions } from './create-test-host';
export { TestSession } from './test-session';
export { loadPluginPackage, type PluginInput, type PluginSpec } from '../host/plugin-spec';
export type { LogRecord } from '../host/memory-logger';
export { FakeSession, FakeSessions } from './fake-sessions';
