export * from './bus.js';
export * from './dynamodb-local.js';
export * from './errors.js';
export * from './http-server.js';
export * from './queue.js';
export * from './queue-storage.js';
export * from './stack.js';
