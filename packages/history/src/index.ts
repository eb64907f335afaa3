export * from './csv.js';
export * from './import.js';
export * from './sink.js';
