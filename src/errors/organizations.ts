// Errors of organizations, their members and invitations (API.md, "Organizations").
import { AppError, NotFoundError } from './base.ts';

export class OrganizationNotFoundError extends NotFoundError {
  static override readonly code = 'ORGANIZATION_NOT_FOUND';
  static override readonly description = 'No organization with this id that the caller is a member of: a stranger learns nothing about which ids exist.';

  constructor() {
    super('No such organization.');
  }
}

export class MemberNotFoundError extends NotFoundError {
  static override readonly code = 'MEMBER_NOT_FOUND';
  static override readonly description = 'The account is not a member of this organization.';

  constructor() {
    super('No such member.');
  }
}

export class InvitationNotFoundError extends NotFoundError {
  static override readonly code = 'INVITATION_NOT_FOUND';
  static override readonly description = 'No invitation with this id in this organization.';

  constructor() {
    super('No such invitation.');
  }
}

export class LastOwnerError extends AppError {
  static override readonly code = 'LAST_OWNER';
  static override readonly status = 409;
  static override readonly description = 'The change would leave the organization without an owner.';

  constructor() {
    super('An organization needs at least one owner; make someone else owner first.');
  }
}

export class AlreadyMemberError extends AppError {
  static override readonly code = 'ALREADY_MEMBER';
  static override readonly status = 409;
  static override readonly description = 'The invited address belongs to an account that is already a member.';

  constructor() {
    super('This address belongs to a member already.');
  }
}
