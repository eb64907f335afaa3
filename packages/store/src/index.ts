export * from './dynamo-store.js';
export * from './errors.js';
export * from './schema.js';
