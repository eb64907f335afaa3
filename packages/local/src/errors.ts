/** Base of the local stack's errors. */
export class LocalStackError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** No Java runtime to run Amazon's DynamoDB Local. */
export class JavaMissingError extends LocalStackError {}
