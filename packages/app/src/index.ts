export * from './aggregate.js';
export * from './alert.js';
export * from './bus.js';
export * from './config.js';
export * from './http.js';
export * from './ingest.js';
export * from './logger.js';
export * from './query.js';
