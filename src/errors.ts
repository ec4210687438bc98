// The one error type of Gatehouse. Services and stores throw AppError
// subclasses; src/http/middleware/error-handler.ts is the only place that turns
// them into the JSON envelope of API.md. oidc-provider's own errors never pass
// through here: they keep their RFC 6749 bodies.

export interface ErrorDetail {
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: ErrorDetail[] | undefined;
  readonly headers: Record<string, string>;

  constructor(
    code: string,
    status: number,
    message: string,
    options: { details?: ErrorDetail[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.details = options.details;
    this.headers = options.headers ?? {};
  }
}

export class ValidationError extends AppError {
  constructor(details: ErrorDetail[], message = 'The request did not match the schema.') {
    super('VALIDATION_FAILED', 400, message, { details });
  }
}

export class MalformedJsonError extends AppError {
  constructor() {
    super('MALFORMED_JSON', 400, 'The request body is not valid JSON.');
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'A valid bearer token is required.') {
    super('UNAUTHENTICATED', 401, message, { headers: { 'WWW-Authenticate': 'Bearer' } });
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'You are not allowed to do this.') {
    super('FORBIDDEN', 403, message);
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'Not found.', code = 'NOT_FOUND') {
    super(code, 404, message);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(limitBytes: number) {
    super('PAYLOAD_TOO_LARGE', 413, `The request body is larger than ${limitBytes} bytes.`);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(expected: string) {
    super('UNSUPPORTED_MEDIA_TYPE', 415, `The request body must be ${expected}.`);
  }
}

export class RateLimitedError extends AppError {
  constructor(retryAfterSeconds: number) {
    super('RATE_LIMITED', 429, 'Too many attempts; try again later.', {
      headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    });
  }
}

export class UnavailableError extends AppError {
  constructor(message = 'The database is unreachable.', cause?: unknown) {
    super('UNAVAILABLE', 503, message, { cause });
  }
}

/** Stores reject with this when a normalised email is already taken. */
export class EmailExistsError extends AppError {
  constructor() {
    super('EMAIL_EXISTS', 409, 'An account with this email already exists.');
  }
}
