export * from './backfill.js';
export * from './sink.js';
export * from './sweep.js';
