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

/** A NUL character or a lone surrogate (see services/storable-text.ts). */
export function unstorableTextError(path: string[]): ValidationError {
  return new ValidationError([{ path: path.join('.'), message: 'must not contain NUL characters or unpaired surrogates' }]);
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
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super('RATE_LIMITED', 429, 'Too many attempts; try again later.', {
      headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    });
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
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

export class WeakPasswordError extends AppError {
  constructor(reason: string) {
    super('WEAK_PASSWORD', 400, reason);
  }
}

export class InvalidTokenError extends AppError {
  constructor() {
    super('INVALID_TOKEN', 400, 'This link is invalid, already used or expired.');
  }
}

/** Unknown email and wrong password alike (API.md): the message never tells which. */
export class InvalidCredentialsError extends AppError {
  constructor() {
    super('INVALID_CREDENTIALS', 401, 'Invalid email or password.');
  }
}

export class EmailNotVerifiedError extends AppError {
  constructor() {
    super('EMAIL_NOT_VERIFIED', 403, 'Verify your email address before signing in.');
  }
}

export class InvalidRefreshTokenError extends AppError {
  constructor() {
    super('INVALID_REFRESH_TOKEN', 401, 'The refresh token is invalid, expired, revoked or already used.');
  }
}

export class WrongPasswordError extends AppError {
  constructor() {
    super('WRONG_PASSWORD', 403, 'The password is not correct.');
  }
}

export class SessionNotFoundError extends NotFoundError {
  constructor() {
    super('No such session.', 'SESSION_NOT_FOUND');
  }
}
