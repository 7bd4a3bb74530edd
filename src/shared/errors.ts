/**
 * Application errors. Every error CaseDesk raises on purpose is an AppError with a stable
 * `code`; workers map PermanentError to BullMQ's UnrecoverableError and rethrow the rest
 * (TransientError and anything unexpected) so the queue retries with backoff.
 */
export class AppError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad configuration: boot fails, listing every bad key at once. */
export class ConfigError extends AppError {
  readonly issues: string[];

  constructor(issues: string[]) {
    // One bad key: one line (a missing DATA_KEY in production reads as a single clear error).
    super('config_invalid', issues.length === 1 ? `invalid configuration: ${issues[0]}` : `invalid configuration:\n  - ${issues.join('\n  - ')}`);
    this.issues = issues;
  }
}

/** Input that does not fit (a CLI argument, a form field, a job payload). */
export class ValidationError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('validation', message, options);
  }
}

/** A thing that is not there: 404 in the web page, a skipped job in a worker. */
export class NotFoundError extends AppError {
  constructor(message: string) {
    super('not_found', message);
  }
}

/** A failure that retrying will not fix (permanent SMTP rejection, a state conflict). */
export class PermanentError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('permanent', message, options);
  }
}

/** A failure worth retrying later (network, a server answering 4xx). */
export class TransientError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('transient', message, options);
  }
}

/** A state change that is not allowed from the current state (approve a sent draft). */
export class ConflictError extends AppError {
  constructor(message: string) {
    super('conflict', message);
  }
}
