// The JSON shapes of API.md's "Organizations", with their presenters.
import { z } from 'zod';
import { ORGANIZATION_ROLES, type Invitation, type Member, type Organization } from '../../storage/ports.ts';

const timestamp = z.iso.datetime();
const id = z.string().meta({ example: '3f9c2a71-5d4e-4b8a-9c06-1e2f7a8b9d40' });

export const organizationNameField = z.string().trim().min(1, 'must not be empty').max(200).meta({ example: 'Acme Research' });
export const organizationRoleField = z.enum(ORGANIZATION_ROLES).meta({ example: 'member' });

export const organizationSchema = z
  .object({ id, name: z.string().meta({ example: 'Acme Research' }), created_at: timestamp, updated_at: timestamp })
  .meta({ id: 'Organization' });

export const myOrganizationSchema = z
  .object({ id, name: z.string().meta({ example: 'Acme Research' }), role: organizationRoleField })
  .meta({ id: 'MyOrganization' });

export const memberSchema = z
  .object({
    user_id: z.string().meta({ example: '8c5f0e1a-3b7d-4e29-9a61-0f2d4c8b7e53' }),
    email: z.string().meta({ example: 'ada@example.com' }),
    name: z.string().nullable().meta({ example: 'Ada Lovelace' }),
    role: organizationRoleField,
    joined_at: timestamp,
  })
  .meta({ id: 'Member' });

export const invitationSchema = z
  .object({
    id,
    organization_id: id,
    email: z.string().meta({ example: 'grace@example.com' }),
    role: organizationRoleField,
    invited_by: z.string().nullable().meta({ example: '8c5f0e1a-3b7d-4e29-9a61-0f2d4c8b7e53' }),
    created_at: timestamp,
    expires_at: timestamp,
  })
  .meta({ id: 'Invitation' });

export function toOrganization(o: Organization): z.input<typeof organizationSchema> {
  return { id: o.id, name: o.name, created_at: o.createdAt.toISOString(), updated_at: o.updatedAt.toISOString() };
}

export function toMember(m: Member): z.input<typeof memberSchema> {
  return { user_id: m.accountId, email: m.email, name: m.name, role: m.role, joined_at: m.joinedAt.toISOString() };
}

export function toInvitation(i: Invitation): z.input<typeof invitationSchema> {
  return {
    id: i.id, organization_id: i.organizationId, email: i.email, role: i.role, invited_by: i.invitedBy,
    created_at: i.createdAt.toISOString(), expires_at: i.expiresAt.toISOString(),
  };
}
