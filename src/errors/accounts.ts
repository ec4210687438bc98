// Errors of sign-up, sign-in and the signed-in user's own account.
import { AppError, NotFoundError } from './base.ts';

/** Stores reject with this when a normalised email is already taken. */
export class EmailExistsError extends AppError {
  static override readonly code = 'EMAIL_EXISTS';
  static override readonly status = 409;
  static override readonly description = 'An account has this email.';

  constructor() {
    super('An account with this email already exists.');
  }
}

export class RegistrationDisabledError extends AppError {
  static override readonly code = 'REGISTRATION_DISABLED';
  static override readonly status = 403;
  static override readonly description = 'Self-service sign-up is closed; an administrator creates accounts.';

  constructor() {
    super('Sign-up is closed. Ask an administrator for an account.');
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
