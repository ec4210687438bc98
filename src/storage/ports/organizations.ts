// Organizations, their memberships and their invitations (API.md, "Organizations").

export const ORGANIZATION_ROLES = ['owner', 'admin', 'member'] as const;
export type OrganizationRole = (typeof ORGANIZATION_ROLES)[number];

export interface Organization {
  id: string;
  name: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface Membership {
  organizationId: string;
  accountId: string;
  role: OrganizationRole;
  joinedAt: Date;
}

/** A membership with the member's address and name, for the members list. */
export interface Member extends Membership {
  email: string;
  name: string | null;
}

export interface Invitation {
  id: string;
  organizationId: string;
  /** Normalised by the caller (normalizeEmail). */
  email: string;
  role: OrganizationRole;
  invitedBy: string | null;
  createdAt: Date;
  expiresAt: Date;
}

export interface NewInvitation extends Invitation {
  /** SHA-256 of the token, hex; the token itself is never stored. */
  hash: string;
}

export interface OrganizationListQuery {
  /** Name contains, case-insensitively. */
  q?: string;
  limit: number;
  /** Keyset position: items strictly after it in (createdAt desc, id desc) order. */
  after?: { createdAt: Date; id: string };
}

export interface OrganizationStore {
  /** Insert the organization with `ownerId` as its owner, both or neither. */
  insert(organization: { id: string; name: string }, ownerId: string): Promise<Organization>;
  find(id: string): Promise<Organization | undefined>;
  /** Newest first; for the admin API. */
  list(query: OrganizationListQuery): Promise<Organization[]>;
  /** Rename; undefined when missing. */
  update(id: string, patch: { name: string }): Promise<Organization | undefined>;
  /** Delete with its memberships and invitations; false when missing. */
  delete(id: string): Promise<boolean>;

  findMembership(organizationId: string, accountId: string): Promise<Membership | undefined>;
  /** Members with their address and name, oldest membership first. */
  listMembers(organizationId: string): Promise<Member[]>;
  /** The account's organizations with its role in each, by name. */
  listForAccount(accountId: string): Promise<Array<{ organization: Organization; role: OrganizationRole }>>;
  /** Add a member; the existing membership, unchanged, when the account already is one. */
  insertMembership(membership: Membership): Promise<Membership>;
  /**
   * Change a member's role; undefined when not a member. LastOwnerError when
   * this would leave the organization without an owner, decided atomically:
   * two owners demoting each other at once leave one owner.
   */
  updateMemberRole(organizationId: string, accountId: string, role: OrganizationRole): Promise<Membership | undefined>;
  /** Remove a member; false when not a member. LastOwnerError as updateMemberRole. */
  deleteMembership(organizationId: string, accountId: string): Promise<boolean>;
  /**
   * An account is going away: remove its memberships, and delete every
   * organization it was the only owner of. Returns the deleted organizations' ids.
   */
  deleteAccountMemberships(accountId: string): Promise<string[]>;

  /** Store an invitation and, atomically, delete the older ones to the same address in the same organization. */
  insertInvitationReplacing(invitation: NewInvitation): Promise<Invitation>;
  /** The organization's invitations not yet used nor expired at `now`, newest first. */
  listInvitations(organizationId: string, now: Date): Promise<Invitation[]>;
  /** Delete one (used or not); false when it is not the organization's. */
  deleteInvitation(organizationId: string, id: string): Promise<boolean>;
  /** The unused, unexpired invitation with this hash, without using it up. */
  findLiveInvitation(hash: string, now: Date): Promise<Invitation | undefined>;
  /** Use it up: the invitation for exactly one caller; undefined when unknown, used or expired. */
  consumeInvitation(hash: string, now: Date): Promise<Invitation | undefined>;
  /** Delete invitations that expired at or before `now`; returns how many. */
  deleteExpiredInvitations(now: Date): Promise<number>;
}
