// Organizations, their members and invitations (API.md, "Organizations").
// Who may do what is decided here from the caller's membership, read fresh on
// every call: a stranger gets ORGANIZATION_NOT_FOUND for every route, so ids
// reveal nothing; owners and admins manage; only owners touch the owner role
// (an admin can neither make nor unmake an owner, nor delete the organization).
// LAST_OWNER is the store's to decide atomically (OrganizationStore).
import { randomBytes, randomUUID } from 'node:crypto';
import {
  AlreadyMemberError, ForbiddenError, InvalidTokenError, InvitationNotFoundError, MemberNotFoundError, OrganizationNotFoundError,
} from '../errors.ts';
import type {
  Account, Invitation, Member, Membership, Organization, OrganizationListQuery, OrganizationRole, OrganizationStore,
} from '../storage/ports.ts';
import { userActor, type Audit } from './audit.ts';
import { cleanDisplayText } from './display-text.ts';
import { hashToken } from './one-time-tokens.ts';
import { ORGANIZATION_INVITATION_TTL_SECONDS, type OrganizationEmails } from './organization-emails.ts';

export interface OrganizationServiceDeps {
  store: OrganizationStore;
  accounts: { findByEmail(email: string): Promise<Account | undefined> };
  emails: OrganizationEmails;
  audit: Pick<Audit, 'record'>;
  /** Mail goes out after the answer; failures land here. */
  onMailError(err: unknown): void;
}

const MANAGERS: ReadonlySet<OrganizationRole> = new Set(['owner', 'admin']);

export type OrganizationService = ReturnType<typeof createOrganizationService>;

export function createOrganizationService(deps: OrganizationServiceDeps) {
  const { store, audit } = deps;

  /** The caller's membership; ORGANIZATION_NOT_FOUND for a stranger or a missing organization alike. */
  async function membershipOf(callerId: string, organizationId: string): Promise<Membership> {
    const membership = await store.findMembership(organizationId, callerId);
    if (!membership) throw new OrganizationNotFoundError();
    return membership;
  }

  async function asManager(callerId: string, organizationId: string): Promise<Membership> {
    const membership = await membershipOf(callerId, organizationId);
    if (!MANAGERS.has(membership.role)) throw new ForbiddenError('Only owners and admins of the organization may do this.');
    return membership;
  }

  function assertMayGrant(caller: Membership, role: OrganizationRole): void {
    if (role === 'owner' && caller.role !== 'owner') throw new ForbiddenError('Only an owner may make someone an owner.');
  }

  async function create(callerId: string, name: string): Promise<Organization> {
    const organization = await store.insert({ id: randomUUID(), name: cleanDisplayText(name) ?? name }, callerId);
    await audit.record({ type: 'organization.created', actor: userActor(callerId), subjectId: callerId, details: { organization_id: organization.id } });
    return organization;
  }

  return {
    /** The account's organizations with its role in each. */
    listMine: (accountId: string) => store.listForAccount(accountId),

    /** `[{id, role}]` for the `organizations` claim. */
    async claimsOf(accountId: string): Promise<Array<{ id: string; role: OrganizationRole }>> {
      return (await store.listForAccount(accountId)).map(({ organization, role }) => ({ id: organization.id, role }));
    },

    /** Any verified user (API.md); FORBIDDEN before the address is verified. */
    async create(caller: Account, name: string): Promise<Organization> {
      if (!caller.emailVerified) throw new ForbiddenError('Verify your email address before creating an organization.');
      return create(caller.id, name);
    },

    /** Registration's `organization`: the account is new, so its address is not verified yet. */
    createAtRegistration: (accountId: string, name: string) => create(accountId, name),

    async get(callerId: string, organizationId: string): Promise<Organization> {
      await membershipOf(callerId, organizationId);
      const organization = await store.find(organizationId);
      if (!organization) throw new OrganizationNotFoundError();
      return organization;
    },

    async rename(callerId: string, organizationId: string, name: string): Promise<Organization> {
      await asManager(callerId, organizationId);
      const organization = await store.update(organizationId, { name: cleanDisplayText(name) ?? name });
      if (!organization) throw new OrganizationNotFoundError();
      await audit.record({ type: 'organization.updated', subjectId: callerId, details: { organization_id: organizationId } });
      return organization;
    },

    async delete(callerId: string, organizationId: string): Promise<void> {
      const caller = await membershipOf(callerId, organizationId);
      if (caller.role !== 'owner') throw new ForbiddenError('Only an owner may delete the organization.');
      if (!(await store.delete(organizationId))) throw new OrganizationNotFoundError();
      await audit.record({ type: 'organization.deleted', subjectId: callerId, details: { organization_id: organizationId } });
    },

    async listMembers(callerId: string, organizationId: string): Promise<Member[]> {
      await membershipOf(callerId, organizationId);
      return store.listMembers(organizationId);
    },

    /** Owners and admins; only an owner grants or takes the owner role. LastOwnerError, MemberNotFoundError. */
    async changeRole(callerId: string, organizationId: string, userId: string, role: OrganizationRole): Promise<Member> {
      const caller = await asManager(callerId, organizationId);
      const target = await store.findMembership(organizationId, userId);
      if (!target) throw new MemberNotFoundError();
      assertMayGrant(caller, role);
      assertMayGrant(caller, target.role);
      const updated = await store.updateMemberRole(organizationId, userId, role);
      if (!updated) throw new MemberNotFoundError();
      await audit.record({
        type: 'member.role_changed', subjectId: userId, details: { organization_id: organizationId, from: target.role, to: role },
      });
      const member = (await store.listMembers(organizationId)).find((m) => m.accountId === userId);
      if (!member) throw new MemberNotFoundError();
      return member;
    },

    /** Owners and admins remove members (an admin not an owner); anyone may leave. LastOwnerError, MemberNotFoundError. */
    async removeMember(callerId: string, organizationId: string, userId: string): Promise<void> {
      const caller = await membershipOf(callerId, organizationId);
      if (userId !== callerId) {
        if (!MANAGERS.has(caller.role)) throw new ForbiddenError('Only owners and admins may remove other members.');
        const target = await store.findMembership(organizationId, userId);
        if (!target) throw new MemberNotFoundError();
        assertMayGrant(caller, target.role);
      }
      if (!(await store.deleteMembership(organizationId, userId))) throw new MemberNotFoundError();
      await audit.record({ type: 'member.removed', subjectId: userId, details: { organization_id: organizationId, left: userId === callerId } });
    },

    /** A mail with a single-use link goes to `email`; an older invitation to it is voided. AlreadyMemberError. */
    async invite(callerId: string, organizationId: string, input: { email: string; role: OrganizationRole }): Promise<Invitation> {
      const caller = await asManager(callerId, organizationId);
      assertMayGrant(caller, input.role);
      const existing = await deps.accounts.findByEmail(input.email);
      if (existing && (await store.findMembership(organizationId, existing.id))) throw new AlreadyMemberError();
      const organization = await store.find(organizationId);
      if (!organization) throw new OrganizationNotFoundError();
      const token = randomBytes(32).toString('base64url');
      const now = new Date();
      const invitation = await store.insertInvitationReplacing({
        id: randomUUID(), organizationId, email: input.email, role: input.role, hash: hashToken(token), invitedBy: callerId,
        createdAt: now, expiresAt: new Date(now.getTime() + ORGANIZATION_INVITATION_TTL_SECONDS * 1000),
      });
      await audit.record({
        type: 'invitation.created', subjectId: existing?.id ?? null,
        details: { organization_id: organizationId, invitation_id: invitation.id, role: input.role },
      });
      deps.emails.sendInvitation({ email: input.email, organizationName: organization.name, role: input.role, token }).catch(deps.onMailError);
      return invitation;
    },

    async listInvitations(callerId: string, organizationId: string): Promise<Invitation[]> {
      await asManager(callerId, organizationId);
      return store.listInvitations(organizationId, new Date());
    },

    async revokeInvitation(callerId: string, organizationId: string, invitationId: string): Promise<void> {
      await asManager(callerId, organizationId);
      if (!(await store.deleteInvitation(organizationId, invitationId))) throw new InvitationNotFoundError();
      await audit.record({ type: 'invitation.revoked', details: { organization_id: organizationId, invitation_id: invitationId } });
    },

    /** What a usable invitation offers (the console's confirmation page); undefined when unknown, used or expired. */
    async peek(token: string): Promise<{ organization: Organization; role: OrganizationRole; email: string } | undefined> {
      const invitation = await store.findLiveInvitation(hashToken(token), new Date());
      const organization = invitation && (await store.find(invitation.organizationId));
      return organization && { organization, role: invitation.role, email: invitation.email };
    },

    /**
     * The invited person, signed in with the invited address verified, joins
     * with the invited role. InvalidTokenError (unknown, used, expired);
     * ForbiddenError when the caller's verified address is not the invited one
     * (the invitation stays usable by its owner).
     */
    async accept(caller: Account, token: string): Promise<{ organization: Organization; role: OrganizationRole }> {
      const hash = hashToken(token);
      const pending = await store.findLiveInvitation(hash, new Date());
      if (!pending) throw new InvalidTokenError();
      if (!caller.emailVerified || caller.email !== pending.email) {
        await audit.record({ type: 'invitation.accepted', result: 'failure', reason: 'FORBIDDEN', subjectId: caller.id, details: { organization_id: pending.organizationId } });
        throw new ForbiddenError('This invitation is for another address; sign in with the invited address, verified.');
      }
      const invitation = await store.consumeInvitation(hash, new Date());
      const organization = invitation && (await store.find(invitation.organizationId));
      if (!invitation || !organization) throw new InvalidTokenError();
      const membership = await store.insertMembership({ organizationId: organization.id, accountId: caller.id, role: invitation.role, joinedAt: new Date() });
      await audit.record({
        type: 'invitation.accepted', subjectId: caller.id,
        details: { organization_id: organization.id, invitation_id: invitation.id, role: membership.role },
      });
      return { organization, role: membership.role };
    },

    /**
     * An account is being deleted: its memberships go, and so do the
     * organizations it was the only owner of. Call before the account row
     * goes (the SQL cascade would otherwise hide which ones it owned).
     */
    async removeAccount(accountId: string): Promise<void> {
      for (const organizationId of await store.deleteAccountMemberships(accountId)) {
        await audit.record({ type: 'organization.deleted', subjectId: accountId, details: { organization_id: organizationId, reason: 'owner_deleted' } });
      }
    },

    /** The admin API's list. */
    adminList: (query: OrganizationListQuery) => store.list(query),
  };
}
