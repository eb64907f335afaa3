export * from './backfill.js';
export * from './csv.js';
export * from './import.js';
export * from './sink.js';
export * from './sweep.js';
