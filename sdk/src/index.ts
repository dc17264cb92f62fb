import 'reflect-metadata';

export * from './xml';
export * from './xml-parse';
export * from './jid';
export * from './errors';
export * from './error-codes';
export * from './stanza';
export * from './session';
export * from './services';
export * from './storage';
export * from './events';
export * from './tokens';
export * from './routes';
export * from './plugin';
export * from './ns';
export * from './last-activity';
export * from './pubsub';
export * from './component';
export * from './pubsub-storage';
export * from './keyed-queue';
export { inject, injectable } from 'inversify';

export const SDK_VERSION = '0.1.0';
export * from './forward-addresses';
export * from './typed-config';
export * from './route-table';
export * from './service-token';
export * from './offline';
