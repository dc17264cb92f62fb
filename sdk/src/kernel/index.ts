/**
 * The kernel's pipeline, shared by the server (`@starling/core`) and the SDK's test host: the stanza
 * router and its phases, the plugin context, the event bus, the disco registry and the plugin runtime
 * (dependency order, child containers, the hot-reload gate).
 */
export * from './component-registry';
export * from './disco-registry';
export * from './event-bus';
export * from './plugin-activity';
export * from './plugin-context';
export * from './plugin-handover';
export * from './plugin-modules';
export * from './plugin-transpile';
export * from './plugin-runtime';
export * from './registrations';
export * from './stanza-router';
