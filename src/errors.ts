// The one error type of Gatehouse. Services and stores throw AppError
// subclasses; src/http/middleware/error-handler.ts is the only place that turns
// them into the JSON envelope of API.md. oidc-provider's own errors never pass
// through here: they keep their RFC 6749 bodies.
//
// Each subclass carries its API.md code and HTTP status as static members, so
// a route can declare the errors it answers with by class (src/http/api/route.ts)
// and the OpenAPI document lists them from the same source.

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

  constructor(message: string, options: ErrorOptions = {}) {
    super(message, { cause: options.cause });
    const type = new.target as unknown as AppErrorClass;
    this.name = new.target.name;
    this.code = type.code;
    this.status = type.status;
    this.details = options.details;
    this.headers = options.headers ?? {};
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

/** Stores reject with this when a normalised email is already taken. */
export class EmailExistsError extends AppError {
  static override readonly code = 'EMAIL_EXISTS';
  static override readonly status = 409;
  static override readonly description = 'An account has this email.';

  constructor() {
    super('An account with this email already exists.');
  }
}

export class WeakPasswordError extends AppError {
  static override readonly code = 'WEAK_PASSWORD';
  static override readonly status = 400;
  static override readonly description = 'The password breaks the policy; the reason is in message.';

  constructor(reason: string) {
    super(reason);
  }
}

export class InvalidTokenError extends AppError {
  static override readonly code = 'INVALID_TOKEN';
  static override readonly status = 400;
  static override readonly description = 'Unknown, used or expired token.';

  constructor() {
    super('This link is invalid, already used or expired.');
  }
}

/** Unknown email and wrong password alike (API.md): the message never tells which. */
export class InvalidCredentialsError extends AppError {
  static override readonly code = 'INVALID_CREDENTIALS';
  static override readonly status = 401;
  static override readonly description = 'Unknown email or wrong password (indistinguishable).';

  constructor() {
    super('Invalid email or password.');
  }
}

export class EmailNotVerifiedError extends AppError {
  static override readonly code = 'EMAIL_NOT_VERIFIED';
  static override readonly status = 403;
  static override readonly description = 'The password is right but the email is not verified.';

  constructor() {
    super('Verify your email address before signing in.');
  }
}

export class InvalidRefreshTokenError extends AppError {
  static override readonly code = 'INVALID_REFRESH_TOKEN';
  static override readonly status = 401;
  static override readonly description = 'Invalid, expired or revoked; reuse also ends the session.';

  constructor() {
    super('The refresh token is invalid, expired, revoked or already used.');
  }
}

export class WrongPasswordError extends AppError {
  static override readonly code = 'WRONG_PASSWORD';
  static override readonly status = 403;
  static override readonly description = 'The password given is not the account\'s.';

  constructor() {
    super('The password is not correct.');
  }
}

export class SessionNotFoundError extends NotFoundError {
  static override readonly code = 'SESSION_NOT_FOUND';
  static override readonly description = 'No such live session of this account.';

  constructor() {
    super('No such session.');
  }
}

// ---- Administration: accounts and roles ------------------------------------

export class AccountDisabledError extends AppError {
  static override readonly code = 'ACCOUNT_DISABLED';
  static override readonly status = 403;
  static override readonly description = 'The password is right but an administrator disabled the account.';

  constructor() {
    super('This account is disabled.');
  }
}

export class UserNotFoundError extends NotFoundError {
  static override readonly code = 'USER_NOT_FOUND';
  static override readonly description = 'No account with this id.';

  constructor() {
    super('No such user.');
  }
}

export class RoleNotFoundError extends NotFoundError {
  static override readonly code = 'ROLE_NOT_FOUND';
  static override readonly description = 'No role with this name.';

  constructor() {
    super('No such role.');
  }
}

export class RoleExistsError extends AppError {
  static override readonly code = 'ROLE_EXISTS';
  static override readonly status = 409;
  static override readonly description = 'A role has this name.';

  constructor() {
    super('A role with this name already exists.');
  }
}

export class RoleBuiltInError extends AppError {
  static override readonly code = 'ROLE_BUILT_IN';
  static override readonly status = 409;
  static override readonly description = 'The built-in roles (user, admin) cannot be changed or deleted.';

  constructor() {
    super('Built-in roles cannot be changed or deleted.');
  }
}

export class RoleInUseError extends AppError {
  static override readonly code = 'ROLE_IN_USE';
  static override readonly status = 409;
  static override readonly description = 'Accounts or clients still hold the role.';

  constructor() {
    super('Accounts or clients still hold this role.');
  }
}

export class LastAdminError extends AppError {
  static override readonly code = 'LAST_ADMIN';
  static override readonly status = 409;
  static override readonly description = 'The change would leave no enabled account with the admin role.';

  constructor() {
    super('This would leave no enabled administrator.');
  }
}

// ---- Clients (admin API) ----

export class ClientNotFoundError extends NotFoundError {
  static override readonly code = 'CLIENT_NOT_FOUND';
  static override readonly description = 'No client has this id.';

  constructor() {
    super('No such client.');
  }
}

export class ClientExistsError extends AppError {
  static override readonly code = 'CLIENT_EXISTS';
  static override readonly status = 409;
  static override readonly description = 'A client has this client_id.';

  constructor() {
    super('A client with this client_id already exists.');
  }
}

export class ClientManagedByFileError extends AppError {
  static override readonly code = 'CLIENT_MANAGED_BY_FILE';
  static override readonly status = 409;
  static override readonly description = 'The client comes from CLIENTS_FILE (or is built in): change it there, not through the API.';

  constructor(message = 'This client is managed by CLIENTS_FILE: change the file and restart instead.') {
    super(message);
  }
}

export class InvalidClientMetadataError extends AppError {
  static override readonly code = 'INVALID_CLIENT_METADATA';
  static override readonly status = 400;
  static override readonly description = 'The client metadata is refused; message gives the reason (oidc-provider\'s own where it refused).';

  constructor(reason: string) {
    super(reason);
  }
}

// --- keys (admin key routes) ---

export class KeyActiveError extends AppError {
  static override readonly code = 'KEY_ACTIVE';
  static override readonly status = 409;
  static override readonly description = 'The key signs now (the newest of its algorithm); rotate before retiring it.';

  constructor(kid: string) {
    super(`Signing key ${kid} is the active key of its algorithm; rotate first.`);
  }
}
