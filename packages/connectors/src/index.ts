export * from './connector.js';
export * from './errors.js';
export * from './payload.js';
export * from './registry.js';
export * from './signature.js';
