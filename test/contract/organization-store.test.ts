import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { LastOwnerError } from '../../src/errors.ts';
import type { Store } from '../../src/storage/ports.ts';
import { forEachBackend } from './backends.ts';

const HOUR = 3600_000;

async function account(store: Store, name = 'Member') {
  return store.accounts.insert({ id: randomUUID(), email: `${randomUUID()}@example.test`, emailVerified: true, name, role: 'user', passwordHash: 'h' });
}

function invitation(organizationId: string, email: string, expiresAt = new Date(Date.now() + HOUR)) {
  return {
    id: randomUUID(), organizationId, email, role: 'member' as const, hash: randomUUID().replaceAll('-', ''),
    invitedBy: null, createdAt: new Date(), expiresAt,
  };
}

forEachBackend('OrganizationStore', (getStore) => {
  const orgs = () => getStore().organizations;

  it('creates an organization with its owner, finds, renames, lists and deletes it', async () => {
    const owner = await account(getStore());
    const id = randomUUID();
    const created = await orgs().insert({ id, name: 'Acme' }, owner.id);
    assert.equal(created.id, id);
    assert.equal(created.name, 'Acme');
    assert.ok(created.createdAt instanceof Date);
    assert.deepEqual(await orgs().find(id), created);
    assert.equal((await orgs().findMembership(id, owner.id))?.role, 'owner');
    assert.deepEqual((await orgs().listForAccount(owner.id)).map((m) => [m.organization.id, m.role]), [[id, 'owner']]);

    const renamed = await orgs().update(id, { name: 'Acme Ltd' });
    assert.equal(renamed?.name, 'Acme Ltd');
    assert.equal(await orgs().update(randomUUID(), { name: 'x' }), undefined);

    assert.equal(await orgs().delete(id), true);
    assert.equal(await orgs().find(id), undefined);
    assert.equal(await orgs().findMembership(id, owner.id), undefined);
    assert.deepEqual(await orgs().listForAccount(owner.id), []);
    assert.equal(await orgs().delete(id), false);
  });

  it('lists newest first with a name filter and keyset paging', async () => {
    const owner = await account(getStore());
    const tag = randomUUID().slice(0, 8);
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      const id = randomUUID();
      ids.push(id);
      await orgs().insert({ id, name: `Team ${tag} ${n}` }, owner.id);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const first = await orgs().list({ q: tag.toUpperCase(), limit: 2 });
    assert.deepEqual(first.map((o) => o.id), [ids[2], ids[1]]);
    const last = first.at(-1)!;
    const rest = await orgs().list({ q: tag, limit: 2, after: { createdAt: last.createdAt, id: last.id } });
    assert.deepEqual(rest.map((o) => o.id), [ids[0]]);
    assert.deepEqual(await orgs().list({ q: `${tag}%_`, limit: 5 }), []);
  });

  it('adds members once, lists them with address and name, changes roles and removes them', async () => {
    const store = getStore();
    const [owner, other] = [await account(store, 'Owner'), await account(store, 'Other')];
    const id = randomUUID();
    await orgs().insert({ id, name: 'Members' }, owner.id);
    const joined = await orgs().insertMembership({ organizationId: id, accountId: other.id, role: 'member', joinedAt: new Date() });
    assert.equal(joined.role, 'member');
    const again = await orgs().insertMembership({ organizationId: id, accountId: other.id, role: 'admin', joinedAt: new Date() });
    assert.equal(again.role, 'member');
    const members = await orgs().listMembers(id);
    assert.deepEqual(members.map((m) => [m.accountId, m.email, m.name, m.role]), [
      [owner.id, owner.email, 'Owner', 'owner'],
      [other.id, other.email, 'Other', 'member'],
    ]);
    assert.equal((await orgs().updateMemberRole(id, other.id, 'admin'))?.role, 'admin');
    assert.equal(await orgs().updateMemberRole(id, randomUUID(), 'admin'), undefined);
    assert.equal(await orgs().deleteMembership(id, other.id), true);
    assert.equal(await orgs().deleteMembership(id, other.id), false);
  });

  it('refuses to demote or remove the last owner with LastOwnerError', async () => {
    const store = getStore();
    const [owner, other] = [await account(store), await account(store)];
    const id = randomUUID();
    await orgs().insert({ id, name: 'Last owner' }, owner.id);
    await assert.rejects(orgs().updateMemberRole(id, owner.id, 'admin'), LastOwnerError);
    await assert.rejects(orgs().deleteMembership(id, owner.id), LastOwnerError);
    assert.equal((await orgs().findMembership(id, owner.id))?.role, 'owner');

    await orgs().insertMembership({ organizationId: id, accountId: other.id, role: 'owner', joinedAt: new Date() });
    assert.equal((await orgs().updateMemberRole(id, owner.id, 'member'))?.role, 'member');
    await assert.rejects(orgs().deleteMembership(id, other.id), LastOwnerError);
  });

  it('leaves an owner when the two last owners are demoted or removed at once', async () => {
    const store = getStore();
    for (const action of ['demote', 'remove', 'mixed'] as const) {
      for (let round = 0; round < 3; round += 1) {
        const [a, b] = [await account(store), await account(store)];
        const id = randomUUID();
        await orgs().insert({ id, name: `Race ${action}` }, a.id);
        await orgs().insertMembership({ organizationId: id, accountId: b.id, role: 'owner', joinedAt: new Date() });
        const act = (accountId: string, remove: boolean) =>
          (remove ? orgs().deleteMembership(id, accountId) : orgs().updateMemberRole(id, accountId, 'member'));
        const results = await Promise.allSettled([act(a.id, action !== 'demote'), act(b.id, action === 'remove')]);
        for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof LastOwnerError, String(r.reason));
        assert.ok(results.some((r) => r.status === 'rejected'), `${action}: both succeeded`);
        const owners = (await orgs().listMembers(id)).filter((m) => m.role === 'owner');
        assert.ok(owners.length >= 1, `${action}: no owner left`);
      }
    }
  });

  it('deletes the organizations an account solely owned and removes its memberships', async () => {
    const store = getStore();
    const [leaving, coOwner] = [await account(store), await account(store)];
    const [sole, shared, joined] = [randomUUID(), randomUUID(), randomUUID()];
    await orgs().insert({ id: sole, name: 'Sole' }, leaving.id);
    await orgs().insertMembership({ organizationId: sole, accountId: coOwner.id, role: 'admin', joinedAt: new Date() });
    await orgs().insert({ id: shared, name: 'Shared' }, leaving.id);
    await orgs().insertMembership({ organizationId: shared, accountId: coOwner.id, role: 'owner', joinedAt: new Date() });
    await orgs().insert({ id: joined, name: 'Joined' }, coOwner.id);
    await orgs().insertMembership({ organizationId: joined, accountId: leaving.id, role: 'member', joinedAt: new Date() });

    assert.deepEqual(await orgs().deleteAccountMemberships(leaving.id), [sole]);
    assert.equal(await orgs().find(sole), undefined);
    assert.deepEqual((await orgs().listForAccount(coOwner.id)).map((m) => m.organization.name), ['Joined', 'Shared']);
    assert.deepEqual(await orgs().listForAccount(leaving.id), []);
  });

  it('stores invitations by hash, voids the older one to the same address, consumes once', async () => {
    const owner = await account(getStore());
    const id = randomUUID();
    await orgs().insert({ id, name: 'Invites' }, owner.id);
    const first = invitation(id, 'a@example.test');
    await orgs().insertInvitationReplacing(first);
    const other = invitation(id, 'b@example.test');
    await orgs().insertInvitationReplacing(other);
    const second = invitation(id, 'a@example.test');
    const stored = await orgs().insertInvitationReplacing(second);
    assert.equal(stored.id, second.id);
    assert.equal((stored as unknown as { hash?: string }).hash, undefined);

    assert.equal(await orgs().findLiveInvitation(first.hash, new Date()), undefined);
    assert.deepEqual((await orgs().listInvitations(id, new Date())).map((i) => i.id).sort(), [second.id, other.id].sort());
    assert.equal((await orgs().findLiveInvitation(second.hash, new Date()))?.email, 'a@example.test');

    const results = await Promise.all(Array.from({ length: 5 }, () => orgs().consumeInvitation(second.hash, new Date())));
    assert.equal(results.filter(Boolean).length, 1);
    assert.equal(results.find(Boolean)?.role, 'member');
    assert.equal(await orgs().findLiveInvitation(second.hash, new Date()), undefined);
    assert.deepEqual((await orgs().listInvitations(id, new Date())).map((i) => i.id), [other.id]);

    assert.equal(await orgs().deleteInvitation(randomUUID(), other.id), false);
    assert.equal(await orgs().deleteInvitation(id, other.id), true);
    assert.equal(await orgs().consumeInvitation(other.hash, new Date()), undefined);
  });

  it('does not use expired invitations, purges them, and drops invitations with their organization', async () => {
    const owner = await account(getStore());
    const id = randomUUID();
    await orgs().insert({ id, name: 'Expiry' }, owner.id);
    const expired = invitation(id, 'old@example.test', new Date(Date.now() - 1000));
    await orgs().insertInvitationReplacing(expired);
    assert.equal(await orgs().consumeInvitation(expired.hash, new Date()), undefined);
    assert.deepEqual(await orgs().listInvitations(id, new Date()), []);
    assert.ok((await orgs().deleteExpiredInvitations(new Date())) >= 1);

    const live = invitation(id, 'new@example.test');
    await orgs().insertInvitationReplacing(live);
    await orgs().delete(id);
    assert.equal(await orgs().findLiveInvitation(live.hash, new Date()), undefined);
  });
});
