// The organizations' schemas (OrganizationStore): organizations, their
// memberships and their invitations.
import { Schema, type Connection, type Model } from 'mongoose';
import { ORGANIZATION_ROLES, type OrganizationRole } from '../ports.ts';
import { OPTIONS } from './schema-options.ts';

export interface OrganizationDoc {
  _id: string;
  name: string;
  createdAt: Date;
  updatedAt: Date;
}

export const organizationSchema = new Schema<OrganizationDoc>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { ...OPTIONS, collection: 'organizations' },
);
// The admin list pages newest first.
organizationSchema.index({ createdAt: -1, _id: -1 });

/** Keyed by organization and account together (membershipKey), so one account is a member once: the _id decides, not a prior lookup. */
export interface MembershipDoc {
  _id: string;
  organizationId: string;
  accountId: string;
  role: OrganizationRole;
  joinedAt: Date;
}

export const membershipKey = (organizationId: string, accountId: string) => `${organizationId}/${accountId}`;

export const membershipSchema = new Schema<MembershipDoc>(
  {
    _id: { type: String, required: true },
    organizationId: { type: String, required: true },
    accountId: { type: String, required: true },
    role: { type: String, enum: ORGANIZATION_ROLES, required: true },
    joinedAt: { type: Date, required: true },
  },
  { ...OPTIONS, collection: 'organization_members' },
);
membershipSchema.index({ organizationId: 1, role: 1 });
membershipSchema.index({ accountId: 1 });

/**
 * One document per organization and address (invitationSlot): a new
 * invitation replaces the older one in a single write, which is how "a new
 * invitation voids the older" holds without a transaction.
 */
export interface InvitationDoc {
  _id: string;
  /** The id the API shows and deletes by. */
  invitationId: string;
  organizationId: string;
  email: string;
  role: OrganizationRole;
  hash: string;
  invitedBy: string | null;
  createdAt: Date;
  expiresAt: Date;
  consumedAt: Date | null;
}

export const invitationSlot = (organizationId: string, email: string) => `${organizationId}/${email}`;

export const invitationSchema = new Schema<InvitationDoc>(
  {
    _id: { type: String, required: true },
    invitationId: { type: String, required: true },
    organizationId: { type: String, required: true },
    email: { type: String, required: true },
    role: { type: String, enum: ORGANIZATION_ROLES, required: true },
    hash: { type: String, required: true },
    invitedBy: { type: String, default: null },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    consumedAt: { type: Date, default: null },
  },
  { ...OPTIONS, collection: 'organization_invitations' },
);
invitationSchema.index({ hash: 1 }, { unique: true });
invitationSchema.index({ organizationId: 1, createdAt: -1 });
invitationSchema.index({ expiresAt: 1 });

export interface OrganizationModels {
  organizations: Model<OrganizationDoc>;
  memberships: Model<MembershipDoc>;
  invitations: Model<InvitationDoc>;
}

/** Compile the schemas on this connection (no I/O). */
export function defineOrganizationModels(connection: Connection): OrganizationModels {
  return {
    organizations: connection.model<OrganizationDoc>('Organization', organizationSchema),
    memberships: connection.model<MembershipDoc>('OrganizationMember', membershipSchema),
    invitations: connection.model<InvitationDoc>('OrganizationInvitation', invitationSchema),
  };
}
