// Errors of the administration API: accounts, roles, clients and keys.
import { AppError, NotFoundError } from './base.ts';

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


export class KeyActiveError extends AppError {
  static override readonly code = 'KEY_ACTIVE';
  static override readonly status = 409;
  static override readonly description = 'The key signs now (the newest of its algorithm); rotate before retiring it.';

  constructor(kid: string) {
    super(`Signing key ${kid} is the active key of its algorithm; rotate first.`);
  }
}
