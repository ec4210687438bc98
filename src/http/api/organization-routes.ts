// /api/v1/organizations, /api/v1/me/organizations and /api/v1/invitations/accept
// (API.md, "Organizations"). Who may call each route is the service's to
// decide from the caller's membership; a non-member gets ORGANIZATION_NOT_FOUND.
import { z } from 'zod';
import {
  AlreadyMemberError, ForbiddenError, InvalidTokenError, InvitationNotFoundError, LastOwnerError, MemberNotFoundError, OrganizationNotFoundError,
} from '../../errors.ts';
import type { OrganizationService } from '../../services/organizations.ts';
import type { OrganizationRole } from '../../storage/ports.ts';
import { authedRoute, type ApiRoute } from './route.ts';
import {
  invitationSchema, memberSchema, myOrganizationSchema, organizationNameField, organizationRoleField, organizationSchema,
  toInvitation, toMember, toOrganization,
} from './organization-schemas.ts';
import { emailField, tokenField } from './schemas.ts';

const TAG = 'organizations';
const idParam = z.string().min(1).max(128);
const orgParams = z.object({ id: idParam });
const memberParams = z.object({ id: idParam, user_id: idParam });
const invitationParams = z.object({ id: idParam, iid: idParam });
const notFound = { error: OrganizationNotFoundError, description: 'No such organization, or the caller is not a member.' };
const managersOnly = { error: ForbiddenError, description: 'The caller is a member but neither owner nor admin (or, for the owner role, not an owner).' };

export function organizationRoutes(deps: { organizations: OrganizationService }): ApiRoute[] {
  const { organizations } = deps;
  return [
    authedRoute({
      method: 'get', path: '/api/v1/me/organizations', tag: TAG, operationId: 'listMyOrganizations',
      summary: 'The organizations the user belongs to, with the user\'s role in each',
      responses: { 200: { description: 'Organizations by name', schema: z.array(myOrganizationSchema) } },
      async handle({ auth }) {
        const mine = await organizations.listMine(auth.account.id);
        return { status: 200, body: mine.map(({ organization, role }) => ({ id: organization.id, name: organization.name, role })) };
      },
    }),

    authedRoute<undefined, undefined, { name: string }>({
      method: 'post', path: '/api/v1/organizations', tag: TAG, operationId: 'createOrganization',
      summary: 'Create an organization; the caller is its owner',
      body: z.strictObject({ name: organizationNameField }),
      responses: { 201: { description: 'Created', schema: organizationSchema } },
      errors: [{ error: ForbiddenError, description: 'The caller\'s email address is not verified yet.' }],
      async handle({ body, auth }) {
        return { status: 201, body: toOrganization(await organizations.create(auth.account, body.name)) };
      },
    }),

    authedRoute<{ id: string }>({
      method: 'get', path: '/api/v1/organizations/:id', tag: TAG, operationId: 'getOrganization',
      summary: 'One organization (members only)',
      params: orgParams,
      responses: { 200: { description: 'The organization', schema: organizationSchema } },
      errors: [notFound],
      async handle({ params, auth }) {
        return { status: 200, body: toOrganization(await organizations.get(auth.account.id, params.id)) };
      },
    }),

    authedRoute<{ id: string }, undefined, { name: string }>({
      method: 'patch', path: '/api/v1/organizations/:id', tag: TAG, operationId: 'updateOrganization',
      summary: 'Rename an organization (owners and admins)',
      params: orgParams,
      body: z.strictObject({ name: organizationNameField }),
      responses: { 200: { description: 'The organization', schema: organizationSchema } },
      errors: [notFound, managersOnly],
      async handle({ params, body, auth }) {
        return { status: 200, body: toOrganization(await organizations.rename(auth.account.id, params.id, body.name)) };
      },
    }),

    authedRoute<{ id: string }>({
      method: 'delete', path: '/api/v1/organizations/:id', tag: TAG, operationId: 'deleteOrganization',
      summary: 'Delete an organization with its memberships and invitations (owners)',
      params: orgParams,
      responses: { 204: { description: 'Deleted' } },
      errors: [notFound, { error: ForbiddenError, description: 'The caller is a member but not an owner.' }],
      async handle({ params, auth }) {
        await organizations.delete(auth.account.id, params.id);
        return { status: 204 };
      },
    }),

    authedRoute<{ id: string }>({
      method: 'get', path: '/api/v1/organizations/:id/members', tag: TAG, operationId: 'listOrganizationMembers',
      summary: 'The members, oldest membership first (members only)',
      params: orgParams,
      responses: { 200: { description: 'Members', schema: z.array(memberSchema) } },
      errors: [notFound],
      async handle({ params, auth }) {
        return { status: 200, body: (await organizations.listMembers(auth.account.id, params.id)).map(toMember) };
      },
    }),

    authedRoute<{ id: string; user_id: string }, undefined, { role: OrganizationRole }>({
      method: 'patch', path: '/api/v1/organizations/:id/members/:user_id', tag: TAG, operationId: 'updateOrganizationMember',
      summary: 'Change a member\'s role (owners and admins; only owners grant or take the owner role)',
      params: memberParams,
      body: z.strictObject({ role: organizationRoleField }),
      responses: { 200: { description: 'The member', schema: memberSchema } },
      errors: [notFound, managersOnly, MemberNotFoundError, LastOwnerError],
      async handle({ params, body, auth }) {
        return { status: 200, body: toMember(await organizations.changeRole(auth.account.id, params.id, params.user_id, body.role)) };
      },
    }),

    authedRoute<{ id: string; user_id: string }>({
      method: 'delete', path: '/api/v1/organizations/:id/members/:user_id', tag: TAG, operationId: 'removeOrganizationMember',
      summary: 'Remove a member (owners and admins), or leave (the member themself)',
      params: memberParams,
      responses: { 204: { description: 'Removed' } },
      errors: [notFound, managersOnly, MemberNotFoundError, LastOwnerError],
      async handle({ params, auth }) {
        await organizations.removeMember(auth.account.id, params.id, params.user_id);
        return { status: 204 };
      },
    }),

    authedRoute<{ id: string }, undefined, { email: string; role: OrganizationRole }>({
      method: 'post', path: '/api/v1/organizations/:id/invitations', tag: TAG, operationId: 'createOrganizationInvitation',
      summary: 'Invite an address (owners and admins); a mail with a single-use link valid 7 days is sent',
      description: 'A new invitation to the same address voids the older one. The link leads to /account/organizations/accept, '
        + 'which signs the person in and accepts it (POST /api/v1/invitations/accept with the token does the same for an app).',
      params: orgParams,
      body: z.strictObject({ email: emailField, role: organizationRoleField }),
      responses: { 201: { description: 'Invited', schema: invitationSchema } },
      errors: [notFound, managersOnly, AlreadyMemberError],
      async handle({ params, body, auth }) {
        return { status: 201, body: toInvitation(await organizations.invite(auth.account.id, params.id, body)) };
      },
    }),

    authedRoute<{ id: string }>({
      method: 'get', path: '/api/v1/organizations/:id/invitations', tag: TAG, operationId: 'listOrganizationInvitations',
      summary: 'Invitations not yet used nor expired, newest first (owners and admins)',
      params: orgParams,
      responses: { 200: { description: 'Invitations', schema: z.array(invitationSchema) } },
      errors: [notFound, managersOnly],
      async handle({ params, auth }) {
        return { status: 200, body: (await organizations.listInvitations(auth.account.id, params.id)).map(toInvitation) };
      },
    }),

    authedRoute<{ id: string; iid: string }>({
      method: 'delete', path: '/api/v1/organizations/:id/invitations/:iid', tag: TAG, operationId: 'revokeOrganizationInvitation',
      summary: 'Revoke an invitation; its link stops working (owners and admins)',
      params: invitationParams,
      responses: { 204: { description: 'Revoked' } },
      errors: [notFound, managersOnly, InvitationNotFoundError],
      async handle({ params, auth }) {
        await organizations.revokeInvitation(auth.account.id, params.id, params.iid);
        return { status: 204 };
      },
    }),

    authedRoute<undefined, undefined, { token: string }>({
      method: 'post', path: '/api/v1/invitations/accept', tag: TAG, operationId: 'acceptInvitation',
      summary: 'Join an organization with the token from an invitation mail',
      description: 'The signed-in user\'s email address must be verified and be the invited one.',
      body: z.strictObject({ token: tokenField }),
      responses: {
        200: { description: 'Joined', schema: z.object({ organization: organizationSchema, role: organizationRoleField }) },
      },
      errors: [InvalidTokenError, { error: ForbiddenError, description: 'The signed-in user\'s verified email address is not the invited one.' }],
      async handle({ body, auth }) {
        const { organization, role } = await organizations.accept(auth.account, body.token);
        return { status: 200, body: { organization: toOrganization(organization), role } };
      },
    }),
  ];
}
