// Organizations, memberships and invitations on PostgreSQL / PGlite.
// LAST_OWNER is decided under row locks on the organization's owners (see
// assertAnotherOwner); an invitation is used up by one conditional update.
import { LastOwnerError } from '../../errors.ts';
import type { Invitation, Member, Membership, Organization, OrganizationRole, OrganizationStore } from '../ports.ts';
import type { SqlDriver } from './driver.ts';

interface OrgRow { id: string; name: string; created_at: Date; updated_at: Date }
interface MemberRow { organization_id: string; account_id: string; role: OrganizationRole; joined_at: Date }
interface InvitationRow {
  id: string; organization_id: string; email: string; role: OrganizationRole; invited_by: string | null; created_at: Date; expires_at: Date;
}

const ORG = 'id, name, created_at, updated_at';
const MEMBER = 'organization_id, account_id, role, joined_at';
const INVITATION = 'id, organization_id, email, role, invited_by, created_at, expires_at';

const toOrg = (r: OrgRow): Organization => ({ id: r.id, name: r.name, createdAt: r.created_at, updatedAt: r.updated_at });
const toMember = (r: MemberRow): Membership => ({ organizationId: r.organization_id, accountId: r.account_id, role: r.role, joinedAt: r.joined_at });
const toInvitation = (r: InvitationRow): Invitation => ({
  id: r.id, organizationId: r.organization_id, email: r.email, role: r.role, invitedBy: r.invited_by, createdAt: r.created_at, expiresAt: r.expires_at,
});

/** `like` pattern for "contains", with the pattern's own metacharacters escaped. */
const containing = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * In the caller's transaction: lock the organization's owner rows (in id
 * order, so concurrent callers queue instead of deadlocking) and refuse when
 * `accountId` is the only owner. Under read committed a waiting caller
 * re-reads the locked rows once the first commits (PostgreSQL re-checks the
 * WHERE on the new row version), so an owner demoted meanwhile is not counted.
 */
async function assertAnotherOwner(tx: SqlDriver, organizationId: string, accountId: string): Promise<void> {
  const { rows } = await tx.query<{ account_id: string }>(
    `select account_id from organization_members where organization_id = $1 and role = 'owner'
     order by account_id collate "C" for update`,
    [organizationId],
  );
  if (rows.length === 1 && rows[0]!.account_id === accountId) throw new LastOwnerError();
}

export function createSqlOrganizationStore(db: SqlDriver): OrganizationStore {
  return {
    insert: (organization, ownerId) => db.transaction(async (tx) => {
      const now = new Date();
      const { rows } = await tx.query<OrgRow>(
        `insert into organizations (id, name, created_at, updated_at) values ($1, $2, $3, $3) returning ${ORG}`,
        [organization.id, organization.name, now],
      );
      await tx.query(
        `insert into organization_members (organization_id, account_id, role, joined_at) values ($1, $2, 'owner', $3)`,
        [organization.id, ownerId, now],
      );
      return toOrg(rows[0]!);
    }),

    async find(id) {
      const { rows } = await db.query<OrgRow>(`select ${ORG} from organizations where id = $1`, [id]);
      return rows[0] && toOrg(rows[0]);
    },

    async list(query) {
      const where: string[] = [];
      const params: unknown[] = [];
      const param = (value: unknown) => `$${params.push(value)}`;
      if (query.q !== undefined && query.q !== '') where.push(`name ilike ${param(containing(query.q))}`);
      if (query.after) {
        where.push(`(created_at, id collate "C") < (${param(query.after.createdAt)}, ${param(query.after.id)} collate "C")`);
      }
      const { rows } = await db.query<OrgRow>(
        `select ${ORG} from organizations ${where.length ? `where ${where.join(' and ')}` : ''}
         order by created_at desc, id collate "C" desc limit ${param(query.limit)}`,
        params,
      );
      return rows.map(toOrg);
    },

    async update(id, patch) {
      const { rows } = await db.query<OrgRow>(
        `update organizations set name = $2, updated_at = now() where id = $1 returning ${ORG}`,
        [id, patch.name],
      );
      return rows[0] && toOrg(rows[0]);
    },

    async delete(id) {
      const { rowCount } = await db.query('delete from organizations where id = $1', [id]);
      return rowCount > 0;
    },

    async findMembership(organizationId, accountId) {
      const { rows } = await db.query<MemberRow>(
        `select ${MEMBER} from organization_members where organization_id = $1 and account_id = $2`,
        [organizationId, accountId],
      );
      return rows[0] && toMember(rows[0]);
    },

    async listMembers(organizationId) {
      const { rows } = await db.query<MemberRow & { email: string; name: string | null }>(
        `select m.organization_id, m.account_id, m.role, m.joined_at, a.email, a.name
         from organization_members m join accounts a on a.id = m.account_id
         where m.organization_id = $1 order by m.joined_at, m.account_id collate "C"`,
        [organizationId],
      );
      return rows.map((r): Member => ({ ...toMember(r), email: r.email, name: r.name }));
    },

    async listForAccount(accountId) {
      const { rows } = await db.query<OrgRow & { role: OrganizationRole }>(
        `select o.id, o.name, o.created_at, o.updated_at, m.role
         from organization_members m join organizations o on o.id = m.organization_id
         where m.account_id = $1 order by o.name, o.id collate "C"`,
        [accountId],
      );
      return rows.map((r) => ({ organization: toOrg(r), role: r.role }));
    },

    async insertMembership(membership) {
      // Already a member: the row stays as it is and is answered.
      await db.query(
        `insert into organization_members (organization_id, account_id, role, joined_at) values ($1, $2, $3, $4)
         on conflict (organization_id, account_id) do nothing`,
        [membership.organizationId, membership.accountId, membership.role, membership.joinedAt],
      );
      const { rows } = await db.query<MemberRow>(
        `select ${MEMBER} from organization_members where organization_id = $1 and account_id = $2`,
        [membership.organizationId, membership.accountId],
      );
      return toMember(rows[0]!);
    },

    updateMemberRole: (organizationId, accountId, role) => db.transaction(async (tx) => {
      if (role !== 'owner') await assertAnotherOwner(tx, organizationId, accountId);
      const { rows } = await tx.query<MemberRow>(
        `update organization_members set role = $3 where organization_id = $1 and account_id = $2 returning ${MEMBER}`,
        [organizationId, accountId, role],
      );
      return rows[0] && toMember(rows[0]);
    }),

    deleteMembership: (organizationId, accountId) => db.transaction(async (tx) => {
      await assertAnotherOwner(tx, organizationId, accountId);
      const { rowCount } = await tx.query(
        'delete from organization_members where organization_id = $1 and account_id = $2',
        [organizationId, accountId],
      );
      return rowCount > 0;
    }),

    deleteAccountMemberships: (accountId) => db.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: string }>(
        `delete from organizations o
         where o.id in (select organization_id from organization_members where account_id = $1 and role = 'owner')
           and not exists (select 1 from organization_members x
                           where x.organization_id = o.id and x.role = 'owner' and x.account_id <> $1)
         returning o.id`,
        [accountId],
      );
      await tx.query('delete from organization_members where account_id = $1', [accountId]);
      return rows.map((r) => r.id);
    }),

    insertInvitationReplacing: (invitation) => db.transaction(async (tx) => {
      // A new invitation voids the older ones to the same address (API.md: the reset-token rules).
      await tx.query('delete from organization_invitations where organization_id = $1 and email = $2', [invitation.organizationId, invitation.email]);
      const { rows } = await tx.query<InvitationRow>(
        `insert into organization_invitations (id, organization_id, email, role, hash, invited_by, created_at, expires_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning ${INVITATION}`,
        [invitation.id, invitation.organizationId, invitation.email, invitation.role, invitation.hash, invitation.invitedBy,
          invitation.createdAt, invitation.expiresAt],
      );
      return toInvitation(rows[0]!);
    }),

    async listInvitations(organizationId, now) {
      const { rows } = await db.query<InvitationRow>(
        `select ${INVITATION} from organization_invitations
         where organization_id = $1 and consumed_at is null and expires_at > $2 order by created_at desc, id collate "C" desc`,
        [organizationId, now],
      );
      return rows.map(toInvitation);
    },

    async deleteInvitation(organizationId, id) {
      const { rowCount } = await db.query('delete from organization_invitations where organization_id = $1 and id = $2', [organizationId, id]);
      return rowCount > 0;
    },

    async findLiveInvitation(hash, now) {
      const { rows } = await db.query<InvitationRow>(
        `select ${INVITATION} from organization_invitations where hash = $1 and consumed_at is null and expires_at > $2`,
        [hash, now],
      );
      return rows[0] && toInvitation(rows[0]);
    },

    async consumeInvitation(hash, now) {
      const { rows } = await db.query<InvitationRow>(
        `update organization_invitations set consumed_at = $2
         where hash = $1 and consumed_at is null and expires_at > $2 returning ${INVITATION}`,
        [hash, now],
      );
      return rows[0] && toInvitation(rows[0]);
    },

    async deleteExpiredInvitations(now) {
      const { rowCount } = await db.query('delete from organization_invitations where expires_at <= $1', [now]);
      return rowCount;
    },
  };
}
