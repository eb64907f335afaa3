import { Logger } from '@aws-lambda-powertools/logger';

/** Structured JSON logs; the level comes from POWERTOOLS_LOG_LEVEL (INFO by default). */
export const makeLogger = (serviceName: string): Logger => new Logger({ serviceName });
