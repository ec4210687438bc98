// AppError, its contract, and the errors any route can answer with
// (API.md, "Errors"). The errors of one domain live beside this file and
// src/errors.ts gathers them all.

export interface ErrorDetail {
  path: string;
  message: string;
}

/** A header that goes with an error wherever it is answered, as OpenAPI describes it. */
export interface DocumentedHeader {
  description: string;
  schema: Record<string, unknown>;
}

export interface ErrorOptions {
  details?: ErrorDetail[];
  headers?: Record<string, string>;
  /** Members of the response body beside `error` (MFA_REQUIRED's `mfa`); never secret beyond what the client must get. */
  body?: Record<string, unknown>;
  cause?: unknown;
}

/** An AppError subclass as a value: what routes declare and OpenAPI reads. */
export interface AppErrorClass {
  readonly code: string;
  readonly status: number;
  /** When a client gets it, for the API documentation. */
  readonly description: string;
  readonly documentedHeaders?: Readonly<Record<string, DocumentedHeader>>;
  readonly prototype: AppError;
}

export abstract class AppError extends Error {
  static readonly code: string;
  static readonly status: number;
  static readonly description: string;

  readonly code: string;
  readonly status: number;
  readonly details: ErrorDetail[] | undefined;
  readonly headers: Record<string, string>;
  readonly body: Record<string, unknown> | undefined;

  constructor(message: string, options: ErrorOptions = {}) {
    super(message, { cause: options.cause });
    const type = new.target as unknown as AppErrorClass;
    this.name = new.target.name;
    this.code = type.code;
    this.status = type.status;
    this.details = options.details;
    this.headers = options.headers ?? {};
    this.body = options.body;
  }
}

export class ValidationError extends AppError {
  static override readonly code = 'VALIDATION_FAILED';
  static override readonly status = 400;
  static override readonly description = 'The path, query or body does not match the schema; details name each field.';

  constructor(details: ErrorDetail[], message = 'The request did not match the schema.', cause?: unknown) {
    super(message, { details, cause });
  }
}

/** A NUL character or a lone surrogate (see services/storable-text.ts). */
export function unstorableTextError(path: string[]): ValidationError {
  return new ValidationError([{ path: path.join('.'), message: 'must not contain NUL characters or unpaired surrogates' }]);
}

export class MalformedJsonError extends AppError {
  static override readonly code = 'MALFORMED_JSON';
  static override readonly status = 400;
  static override readonly description = 'The body is not JSON.';

  constructor() {
    super('The request body is not valid JSON.');
  }
}

/** A client error Koa or a parser raised (they mark them `expose`), answered with its own 4xx status. */
export class BadRequestError extends AppError {
  static override readonly code = 'BAD_REQUEST';
  static override readonly status = 400;
  static override readonly description = 'The request could not be understood.';

  constructor(message: string, status = 400) {
    super(message);
    (this as { status: number }).status = status;
  }
}

export class UnauthenticatedError extends AppError {
  static override readonly code = 'UNAUTHENTICATED';
  static override readonly status = 401;
  static override readonly description = 'Missing, invalid, expired or revoked bearer token.';
  static readonly documentedHeaders = { 'WWW-Authenticate': { description: 'Bearer', schema: { type: 'string' } } };

  constructor(message = 'A valid bearer token is required.') {
    super(message, { headers: { 'WWW-Authenticate': 'Bearer' } });
  }
}

export class ForbiddenError extends AppError {
  static override readonly code = 'FORBIDDEN';
  static override readonly status = 403;
  static override readonly description = 'The token is valid but does not allow this.';

  constructor(message = 'You are not allowed to do this.') {
    super(message);
  }
}

export class NotFoundError extends AppError {
  static override readonly code: string = 'NOT_FOUND';
  static override readonly status = 404;
  static override readonly description: string = 'No such resource.';

  constructor(message = 'Not found.') {
    super(message);
  }
}

export class PayloadTooLargeError extends AppError {
  static override readonly code = 'PAYLOAD_TOO_LARGE';
  static override readonly status = 413;
  static override readonly description = 'The body is over the limit (64 KiB).';

  constructor(limitBytes: number) {
    super(`The request body is larger than ${limitBytes} bytes.`);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  static override readonly code = 'UNSUPPORTED_MEDIA_TYPE';
  static override readonly status = 415;
  static override readonly description = 'The body is not application/json.';

  constructor(expected: string) {
    super(`The request body must be ${expected}.`);
  }
}

/** A refusal that will pass with time: both carry Retry-After (RFC 9110 §10.2.3). */
abstract class RetryLaterError extends AppError {
  static readonly documentedHeaders = {
    'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer', minimum: 1 } },
  };

  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds: number) {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    super(message, { headers: { 'Retry-After': String(seconds) } });
    this.retryAfterSeconds = seconds;
  }
}

export class RateLimitedError extends RetryLaterError {
  static override readonly code = 'RATE_LIMITED';
  static override readonly status = 429;
  static override readonly description = 'Too many requests; see Retry-After.';

  constructor(retryAfterSeconds: number) {
    super('Too many attempts; try again later.', retryAfterSeconds);
  }
}

/** A bug on our side: answered without any internal detail, logged in full. */
export class InternalError extends AppError {
  static override readonly code = 'INTERNAL';
  static override readonly status = 500;
  static override readonly description = 'A bug on our side; never with internal detail.';

  constructor(cause?: unknown) {
    super('Something went wrong on our side.', { cause });
  }
}

export class UnavailableError extends AppError {
  static override readonly code = 'UNAVAILABLE';
  static override readonly status = 503;
  static override readonly description = 'The database is unreachable.';

  constructor(message = 'The database is unreachable.', cause?: unknown) {
    super(message, { cause });
  }
}

/** Too much work queued (password hashing): shed the request rather than queue it without bound. */
export class ServerBusyError extends RetryLaterError {
  static override readonly code = 'UNAVAILABLE';
  static override readonly status = 503;
  static override readonly description = 'Password hashing is saturated; see Retry-After.';

  constructor(retryAfterSeconds: number) {
    super('The server is busy; try again shortly.', retryAfterSeconds);
  }
}
