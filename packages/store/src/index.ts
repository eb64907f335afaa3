export * from './aggregate-store.js';
export * from './alert-store.js';
export * from './document-store.js';
export * from './dynamo-store.js';
export * from './entity-store.js';
export * from './errors.js';
export * from './rebuild-store.js';
export * from './schema.js';
export { documentClient, queryAll, storeError, Table } from './table.js';
