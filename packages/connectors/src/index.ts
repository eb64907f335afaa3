export * from './api.js';
export * from './api-registry.js';
export * from './connector.js';
export * from './errors.js';
export * from './payload.js';
export * from './registry.js';
export * from './signature.js';
export {
  GENERIC_TYPES,
  type GenericContext,
  type GenericFieldKind,
  type GenericType,
  genericEvent,
  genericFields,
  isGenericType,
} from './sources/generic.js';
