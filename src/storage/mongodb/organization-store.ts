// Organizations on MongoDB; same semantics as src/storage/sql/organization-store.ts.
// Without a multi-document transaction, LAST_OWNER is "write, then count the
// owners left, undo when none is" (as LAST_ADMIN in account-store.ts): two
// owners demoting each other at once both see none left and both undo, or
// one sees the other still there; never do both succeed. (On FerretDB the
// writes are serialised anyway: serial-writes.ts.)
import type { Model } from 'mongoose';
import { LastOwnerError } from '../../errors.ts';
import type { Invitation, Membership, Organization, OrganizationStore } from '../ports.ts';
import { isDuplicateKey, op, str } from './guards.ts';
import type { AccountDoc } from './models.ts';
import {
  invitationSlot, membershipKey, type InvitationDoc, type MembershipDoc, type OrganizationDoc, type OrganizationModels,
} from './organization-models.ts';

const toOrg = (d: OrganizationDoc): Organization => ({ id: d._id, name: d.name, createdAt: d.createdAt, updatedAt: d.updatedAt });
const toMember = (d: MembershipDoc): Membership => ({ organizationId: d.organizationId, accountId: d.accountId, role: d.role, joinedAt: d.joinedAt });
const toInvitation = (d: InvitationDoc): Invitation => ({
  id: d.invitationId, organizationId: d.organizationId, email: d.email, role: d.role, invitedBy: d.invitedBy ?? null,
  createdAt: d.createdAt, expiresAt: d.expiresAt,
});
const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function createMongoOrganizationStore(models: OrganizationModels & { accounts: Model<AccountDoc> }): OrganizationStore {
  const { organizations, memberships, invitations } = models;
  const usable = (hash: string, now: Date) => ({ hash: str(hash, 'hash'), consumedAt: null, expiresAt: op({ $gt: now }) });

  /** After a write that may have taken away an owner: undo it and refuse when no owner is left. */
  async function guardLastOwner(organizationId: string, wasOwner: boolean, undo: () => Promise<unknown>): Promise<void> {
    if (!wasOwner || (await memberships.countDocuments({ organizationId, role: 'owner' })) > 0) return;
    await undo();
    throw new LastOwnerError();
  }

  async function deleteOrganization(id: string): Promise<boolean> {
    const { deletedCount } = await organizations.deleteOne({ _id: str(id, 'id') });
    await memberships.deleteMany({ organizationId: id });
    await invitations.deleteMany({ organizationId: id });
    return deletedCount > 0;
  }

  return {
    async insert(organization, ownerId) {
      const now = new Date();
      const created = await organizations.create({ _id: str(organization.id, 'id'), name: organization.name, createdAt: now, updatedAt: now });
      try {
        await memberships.create({
          _id: membershipKey(organization.id, str(ownerId, 'ownerId')), organizationId: organization.id, accountId: ownerId, role: 'owner', joinedAt: now,
        });
      } catch (err) {
        await organizations.deleteOne({ _id: organization.id });
        throw err;
      }
      return toOrg(created.toObject());
    },

    async find(id) {
      const doc = await organizations.findOne({ _id: str(id, 'id') }).lean<OrganizationDoc>();
      return doc === null ? undefined : toOrg(doc);
    },

    async list(query) {
      const and: Record<string, unknown>[] = [];
      if (query.q !== undefined && query.q !== '') and.push({ name: op({ $regex: escapeRegex(str(query.q, 'q')), $options: 'i' }) });
      if (query.after) {
        const { createdAt, id } = query.after;
        and.push({ $or: [{ createdAt: op({ $lt: createdAt }) }, { createdAt, _id: op({ $lt: str(id, 'cursor') }) }] });
      }
      const docs = await organizations.find(and.length ? { $and: and } : {}).sort({ createdAt: -1, _id: -1 }).limit(query.limit).lean<OrganizationDoc[]>();
      return docs.map(toOrg);
    },

    async update(id, patch) {
      const doc = await organizations
        .findOneAndUpdate({ _id: str(id, 'id') }, { $set: { name: patch.name, updatedAt: new Date() } }, { returnDocument: 'after' })
        .lean<OrganizationDoc>();
      return doc === null ? undefined : toOrg(doc);
    },

    delete: deleteOrganization,

    async findMembership(organizationId, accountId) {
      const doc = await memberships.findOne({ _id: membershipKey(str(organizationId, 'organizationId'), str(accountId, 'accountId')) }).lean<MembershipDoc>();
      return doc === null ? undefined : toMember(doc);
    },

    async listMembers(organizationId) {
      const docs = await memberships.find({ organizationId: str(organizationId, 'organizationId') }).sort({ joinedAt: 1, accountId: 1 }).lean<MembershipDoc[]>();
      const accounts = await models.accounts.find({ _id: op({ $in: docs.map((d) => d.accountId) }) }).lean<AccountDoc[]>();
      const byId = new Map(accounts.map((a) => [a._id, a]));
      // A membership whose account is gone (deleted meanwhile) is not listed, as the SQL join leaves it out.
      return docs.filter((d) => byId.has(d.accountId)).map((d) => ({ ...toMember(d), email: byId.get(d.accountId)!.email, name: byId.get(d.accountId)!.name }));
    },

    async listForAccount(accountId) {
      const docs = await memberships.find({ accountId: str(accountId, 'accountId') }).lean<MembershipDoc[]>();
      const orgs = await organizations.find({ _id: op({ $in: docs.map((d) => d.organizationId) }) }).lean<OrganizationDoc[]>();
      const roleOf = new Map(docs.map((d) => [d.organizationId, d.role]));
      // Code-unit order, as the SQL backend's collate "C" on the id; names compare the same way here.
      return orgs
        .map((o) => ({ organization: toOrg(o), role: roleOf.get(o._id)! }))
        .sort((a, b) => (a.organization.name < b.organization.name ? -1 : a.organization.name > b.organization.name ? 1 : a.organization.id < b.organization.id ? -1 : 1));
    },

    async insertMembership(membership) {
      const _id = membershipKey(str(membership.organizationId, 'organizationId'), str(membership.accountId, 'accountId'));
      try {
        await memberships.create({ _id, ...membership });
      } catch (err) {
        if (!isDuplicateKey(err, '_id', true)) throw err;
      }
      return toMember((await memberships.findOne({ _id }).lean<MembershipDoc>())!);
    },

    async updateMemberRole(organizationId, accountId, role) {
      const _id = membershipKey(str(organizationId, 'organizationId'), str(accountId, 'accountId'));
      const before = await memberships.findOneAndUpdate({ _id }, { $set: { role: str(role, 'role') } }).lean<MembershipDoc>();
      if (before === null) return undefined;
      await guardLastOwner(organizationId, before.role === 'owner' && role !== 'owner', () => memberships.updateOne({ _id }, { $set: { role: 'owner' } }));
      return { ...toMember(before), role };
    },

    async deleteMembership(organizationId, accountId) {
      const _id = membershipKey(str(organizationId, 'organizationId'), str(accountId, 'accountId'));
      const before = await memberships.findOneAndDelete({ _id }).lean<MembershipDoc>();
      if (before === null) return false;
      await guardLastOwner(organizationId, before.role === 'owner', () => memberships.create(before));
      return true;
    },

    async deleteAccountMemberships(accountId) {
      const owned = await memberships.find({ accountId: str(accountId, 'accountId'), role: 'owner' }).lean<MembershipDoc[]>();
      const deleted: string[] = [];
      for (const { organizationId } of owned) {
        const others = await memberships.countDocuments({ organizationId, role: 'owner', accountId: op({ $ne: accountId }) });
        if (others === 0 && (await deleteOrganization(organizationId))) deleted.push(organizationId);
      }
      await memberships.deleteMany({ accountId });
      return deleted;
    },

    async insertInvitationReplacing(invitation) {
      const slot = invitationSlot(str(invitation.organizationId, 'organizationId'), str(invitation.email, 'email'));
      const replacement: InvitationDoc = {
        _id: slot, invitationId: str(invitation.id, 'id'), organizationId: invitation.organizationId, email: invitation.email,
        role: invitation.role, hash: str(invitation.hash, 'hash'), invitedBy: invitation.invitedBy, createdAt: invitation.createdAt,
        expiresAt: invitation.expiresAt, consumedAt: null,
      };
      const write = () => invitations.replaceOne({ _id: slot }, replacement, { upsert: true, runValidators: true }).exec();
      await write().catch((err: unknown) => {
        // Two first-ever upserts of one slot (one-time-token-store.ts): the loser replaces.
        if (isDuplicateKey(err, '_id', true)) return write();
        throw err;
      });
      return toInvitation(replacement);
    },

    async listInvitations(organizationId, now) {
      const docs = await invitations
        .find({ organizationId: str(organizationId, 'organizationId'), consumedAt: null, expiresAt: op({ $gt: now }) })
        .sort({ createdAt: -1, invitationId: -1 })
        .lean<InvitationDoc[]>();
      return docs.map(toInvitation);
    },

    async deleteInvitation(organizationId, id) {
      const { deletedCount } = await invitations.deleteOne({ organizationId: str(organizationId, 'organizationId'), invitationId: str(id, 'id') });
      return deletedCount > 0;
    },

    async findLiveInvitation(hash, now) {
      const doc = await invitations.findOne(usable(hash, now)).lean<InvitationDoc>();
      return doc === null ? undefined : toInvitation(doc);
    },

    async consumeInvitation(hash, now) {
      // Atomic per document: of concurrent callers exactly one still matches `consumedAt: null`.
      const doc = await invitations.findOneAndUpdate(usable(hash, now), { $set: { consumedAt: now } }).lean<InvitationDoc>();
      return doc === null ? undefined : toInvitation(doc);
    },

    async deleteExpiredInvitations(now) {
      const { deletedCount } = await invitations.deleteMany({ expiresAt: op({ $lte: now }) });
      return deletedCount;
    },
  };
}
