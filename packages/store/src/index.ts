export * from './aggregate-store.js';
export * from './alert-store.js';
export * from './document-store.js';
export * from './dynamo-store.js';
export * from './entity-store.js';
export * from './errors.js';
export { aggregateFields } from './items.js';
export * from './rebuild-store.js';
export * from './schema.js';
export * from './snapshot-store.js';
export {
  atRevision,
  documentClient,
  listingAttributes,
  queryAll,
  storeError,
  Table,
  updateExpression,
} from './table.js';
