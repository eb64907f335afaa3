export * from './client.js';
export * from './dynamodb.js';
export type { AwsCredentials } from './sigv4.js';
