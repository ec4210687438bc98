// The admin console (/admin) over HTTP: every page answers an admin, and is
// refused to a `user` and to a role without the page's permission; form posts
// need the CSRF token; destructive actions need a confirmation and a recent
// sign-in; service refusals show on the page, tied to their field.
import assert from 'node:assert/strict';
import { PASSWORD, uniqueEmail } from '../support/admin.ts';
import { ageSignIn, csrfOf, postForm } from '../support/admin-console.ts';
import { signInToConsole } from '../support/console-session.ts';
import { PageSession } from '../support/page-session.ts';
import { createTestAccount, startTestServer, type TestServer } from '../support/server.ts';
import { login } from '../support/api.ts';

describe('admin console pages', function () {
  let server: TestServer;
  let base: string;
  let admin: PageSession;
  let target: { id: string; email: string };

  async function account(role: string) {
    const email = uniqueEmail(`admin-console-${role}`);
    const { id } = await createTestAccount(server, { email, password: PASSWORD, role });
    return { id, email, password: PASSWORD };
  }

  async function signedInAs(role: string, path = '/admin') {
    const session = new PageSession();
    const page = await signInToConsole(session, base, path, await account(role));
    return { session, page };
  }

  before(async function () {
    server = await startTestServer();
    base = server.url;
    await server.store.roles.insert({ name: 'auditor', description: 'Reads the audit log', permissions: ['admin:audit:read'] });
    await server.store.roles.insert({ name: 'viewer', description: 'Reads accounts', permissions: ['admin:users:read', 'admin:clients:read'] });
    ({ session: admin } = await signedInAs('admin'));
    target = await account('user');
  });
  after(() => server?.close());

  const pages = () => [
    '/admin', '/admin/users', `/admin/users/${target.id}`, `/admin/users/${target.id}/disable`, `/admin/users/${target.id}/delete`,
    `/admin/users/${target.id}/revoke-sessions`, '/admin/clients', '/admin/clients/new', '/admin/roles', '/admin/roles/admin',
    '/admin/audit', '/admin/keys',
  ];

  it('answers every page for an admin, with the CSP and no caching', async () => {
    for (const path of pages()) {
      const res = await admin.request(`${base}${path}`);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'|script-src/, path);
      assert.equal(res.headers.get('cache-control'), 'no-store', path);
      assert.match(res.body, /href="\/assets\/admin\.css"/, path);
    }
    const dashboard = await admin.request(`${base}/admin`);
    assert.match(dashboard.body, /Accounts/);
    assert.match(dashboard.body, /Active sessions/);
    assert.match(dashboard.body, /Failed sign-ins, last 24 h/);
  });

  it('refuses every page to a user account (403) and every page to a signed-out browser (to the sign-in)', async () => {
    const { session } = await signedInAs('user', '/account');
    for (const path of pages()) {
      const res = await session.request(`${base}${path}`);
      assert.equal(res.status, 403, path);
      const anonymous = await new PageSession().request(`${base}${path}`);
      assert.equal(anonymous.status, 303, path);
      assert.match(anonymous.headers.get('location') ?? '', /^\/console\/login\?return=/, path);
    }
    // A post whose sign-in has ended comes back, once signed in, to a page that answers.
    const ended = await new PageSession().request(`${base}/admin/users/${target.id}/verify`, { form: { _csrf: 'x' } });
    assert.equal(ended.headers.get('location'), `/console/login?return=${encodeURIComponent(`/admin/users/${target.id}/verify`)}`);
    const back = await admin.request(`${base}/admin/users/${target.id}/verify`);
    assert.equal(back.status, 303);
    assert.equal(back.headers.get('location'), `/admin/users/${target.id}`);
  });

  it('opens to a custom role only the pages of its permissions, reads and writes alike', async () => {
    const auditor = await signedInAs('auditor');
    for (const path of ['/admin', '/admin/audit', '/admin/roles', '/admin/keys']) assert.equal((await auditor.session.request(`${base}${path}`)).status, 200, path);
    for (const path of ['/admin/users', `/admin/users/${target.id}`, '/admin/clients', '/admin/clients/new']) {
      assert.equal((await auditor.session.request(`${base}${path}`)).status, 403, path);
    }
    const dashboard = await auditor.session.request(`${base}/admin`);
    assert.doesNotMatch(dashboard.body, /Active sessions/, 'the account figures need users:read');
    assert.match(dashboard.body, /Sign-ins, last 24 h/);
    const page = await auditor.session.request(`${base}/admin/keys`);
    assert.doesNotMatch(page.body, /Rotate the keys/);
    assert.equal((await postForm(auditor.session, base, page, '/admin/keys/rotate')).status, 403);
    assert.equal((await postForm(auditor.session, base, page, '/admin/roles', { name: 'nope' })).status, 403);

    const viewer = await signedInAs('viewer');
    const user = await viewer.session.request(`${base}/admin/users/${target.id}`);
    assert.equal(user.status, 200);
    assert.doesNotMatch(user.body, /Disable…/, 'no write controls without users:write');
    assert.equal((await viewer.session.request(`${base}/admin/users/${target.id}/disable`)).status, 403);
    assert.equal((await postForm(viewer.session, base, user, `/admin/users/${target.id}/disable`, { confirm: 'yes' })).status, 403);
    assert.equal((await postForm(viewer.session, base, user, `/admin/users/${target.id}/verify`)).status, 403);
    assert.equal((await viewer.session.request(`${base}/admin/audit`)).status, 403);
    assert.equal((await viewer.session.request(`${base}/admin/clients/new`)).status, 403);
    assert.equal((await server.store.accounts.findById(target.id))?.disabled, false);
  });

  it('refuses a form post without the CSRF token', async () => {
    for (const path of [`/admin/users/${target.id}/disable`, '/admin/clients', '/admin/roles', '/admin/keys/rotate']) {
      const res = await admin.request(`${base}${path}`, { form: { confirm: 'yes', client_name: 'x', name: 'x' } });
      assert.equal(res.status, 403, path);
      assert.match(res.body, /Request refused/, path);
    }
    assert.equal((await server.store.accounts.findById(target.id))?.disabled, false);
  });

  it('disables an account after a confirmation, ending its tokens, and records it', async () => {
    const victim = await account('user');
    const tokens = await login(server, { email: victim.email, password: PASSWORD });
    const confirm = await admin.request(`${base}/admin/users/${victim.id}/disable`);
    const unconfirmed = await postForm(admin, base, confirm, `/admin/users/${victim.id}/disable`);
    assert.equal(unconfirmed.status, 400);
    assert.match(unconfirmed.body, /aria-invalid="true" aria-describedby="confirm-error"/);
    assert.equal((await server.store.accounts.findById(victim.id))?.disabled, false);

    const done = await postForm(admin, base, confirm, `/admin/users/${victim.id}/disable`, { confirm: 'yes' });
    assert.equal(done.status, 303);
    assert.equal(done.headers.get('location'), `/admin/users/${victim.id}?done=disabled`);
    const me = await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(me.status, 401);

    const audit = await admin.request(`${base}/admin/audit?type=admin.adminUpdateUser&subject=${victim.id}`);
    assert.equal(audit.status, 200);
    assert.match(audit.body, /admin\.adminUpdateUser/);
    assert.match(audit.body, /success/);
  });

  it('sends an old sign-in through the login page again (max_age=300) before a destructive action', async () => {
    const victim = await account('user');
    const confirm = await admin.request(`${base}/admin/users/${victim.id}/delete`);
    const cookie = [await ageSignIn(server, admin, 600), `gatehouse.csrf=${admin.cookie('gatehouse.csrf')}`, `gatehouse.csrf.sig=${admin.cookie('gatehouse.csrf.sig')}`].join('; ');
    const res = await fetch(`${base}/admin/users/${victim.id}/delete`, {
      method: 'POST', redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrfOf(confirm), confirm: 'yes' }),
    });
    assert.equal(res.status, 303);
    const location = res.headers.get('location') ?? '';
    assert.match(location, /^\/console\/login\?/);
    assert.equal(new URL(location, base).searchParams.get('max_age'), '300');
    assert.equal(new URL(location, base).searchParams.get('return'), `/admin/users/${victim.id}/delete`);
    assert.ok(await server.store.accounts.findById(victim.id), 'not deleted');
    // A page (not destructive) still opens with the old sign-in.
    const page = await fetch(`${base}/admin/users/${victim.id}`, { headers: { cookie }, redirect: 'manual' });
    assert.equal(page.status, 200);
  });

  it('creates a client with its secret shown once and require_mfa ticked, edits it off, and ties a refused redirect URI to its field', async () => {
    const form = await admin.request(`${base}/admin/clients/new`);
    const bad = await postForm(admin, base, form, '/admin/clients', {
      client_name: 'Shop', redirect_uris: 'not a uri', grant_authorization_code: 'yes', type: 'confidential',
    });
    assert.equal(bad.status, 400);
    assert.match(bad.body, /id="redirect_uris" name="redirect_uris" aria-invalid="true" aria-describedby="redirect_uris-error"/);
    assert.match(bad.body, /id="redirect_uris-error"/);
    const none = await postForm(admin, base, form, '/admin/clients', { client_name: 'Shop', type: 'confidential' });
    assert.equal(none.status, 400);
    assert.match(none.body, /Choose at least one grant type/);

    const created = await postForm(admin, base, form, '/admin/clients', {
      client_name: 'Shop', redirect_uris: 'https://shop.example/callback', grant_authorization_code: 'yes', grant_refresh_token: 'yes', type: 'confidential',
      require_mfa: 'yes',
    });
    assert.equal(created.status, 200);
    const clientId = /id="client-id">([^<]+)</.exec(created.body)?.[1] ?? assert.fail('no client id');
    const secret = /id="client-secret">([^<]+)</.exec(created.body)?.[1] ?? assert.fail('no secret');
    const detail = await admin.request(`${base}/admin/clients/${clientId}`);
    assert.equal(detail.status, 200);
    assert.ok(!detail.body.includes(secret), 'the secret is not shown again');
    assert.match(detail.body, /https:\/\/shop\.example\/callback/);
    assert.equal((await server.store.clients.find(clientId))?.metadata.require_mfa, true);
    assert.match(detail.body, /<input type="checkbox" name="require_mfa" value="yes"[^>]* checked> Require two-step verification/);

    const saved = await postForm(admin, base, detail, `/admin/clients/${clientId}`, {
      client_name: 'Shop 2', redirect_uris: 'https://shop.example/cb2', grant_authorization_code: 'yes',
    });
    assert.equal(saved.status, 303);
    assert.deepEqual((await server.store.clients.find(clientId))?.metadata.redirect_uris, ['https://shop.example/cb2']);
    // The box left unticked on the edit form turns the policy off.
    assert.equal((await server.store.clients.find(clientId))?.metadata.require_mfa, false);
    const edited = await admin.request(`${base}/admin/clients/${clientId}`);
    assert.match(edited.body, /<input type="checkbox" name="require_mfa" value="yes" aria-describedby="require_mfa-hint"> Require two-step verification/);

    const rotate = await admin.request(`${base}/admin/clients/${clientId}/rotate-secret`);
    const rotated = await postForm(admin, base, rotate, `/admin/clients/${clientId}/rotate-secret`, { confirm: 'yes' });
    assert.equal(rotated.status, 200);
    const newSecret = /id="client-secret">([^<]+)</.exec(rotated.body)?.[1] ?? assert.fail('no new secret');
    assert.notEqual(newSecret, secret);

    const del = await admin.request(`${base}/admin/clients/${clientId}/delete`);
    assert.equal((await postForm(admin, base, del, `/admin/clients/${clientId}/delete`, { confirm: 'yes' })).status, 303);
    assert.equal(await server.store.clients.find(clientId), undefined);
  });

  it('shows the services’ refusals: ROLE_IN_USE, KEY_ACTIVE, a bad role name and a bad audit date', async () => {
    const roles = await admin.request(`${base}/admin/roles`);
    const badName = await postForm(admin, base, roles, '/admin/roles', { name: 'Not A Slug' });
    assert.equal(badName.status, 400);
    assert.match(badName.body, /id="name" name="name"[^>]*aria-invalid="true" aria-describedby="name-error"/);
    const created = await postForm(admin, base, roles, '/admin/roles', { name: 'support', description: 'Helps', 'perm_admin:users:read': 'yes', other_permissions: 'tickets:read' });
    assert.equal(created.status, 303);
    assert.deepEqual((await server.store.roles.find('support'))?.permissions, ['admin:users:read', 'tickets:read']);
    await account('support');
    const del = await admin.request(`${base}/admin/roles/support/delete`);
    const inUse = await postForm(admin, base, del, '/admin/roles/support/delete', { confirm: 'yes' });
    assert.equal(inUse.status, 409);
    assert.match(inUse.body, /role="alert"/);

    const keys = await admin.request(`${base}/admin/keys`);
    const active = /<code>([^<]+)<\/code><\/td>\s*<td[^>]*>[^<]*<\/td>\s*<td[^>]*>active/.exec(keys.body)?.[1] ?? assert.fail('no active key');
    const retire = await admin.request(`${base}/admin/keys/${active}/retire`);
    const refused = await postForm(admin, base, retire, `/admin/keys/${active}/retire`, { confirm: 'yes' });
    assert.equal(refused.status, 409);

    const audit = await admin.request(`${base}/admin/audit?since=yesterday`);
    assert.equal(audit.status, 400);
    assert.match(audit.body, /aria-invalid="true" aria-describedby="since-error"/);
  });

  it('changes role, marks verified, mails a reset, unlocks, ends sessions and deletes, each recorded', async () => {
    const email = uniqueEmail('admin-console-actions');
    const { id } = await createTestAccount(server, { email, password: PASSWORD, emailVerified: false });
    let page = await admin.request(`${base}/admin/users/${id}`);
    assert.match(page.body, /Mark email verified/);
    for (const [action, fields, done] of [
      ['role', { role: 'auditor' }, 'role'], ['verify', {}, 'verified'], ['reset', {}, 'reset'], ['unlock', {}, 'unlocked'],
    ] as const) {
      const res = await postForm(admin, base, page, `/admin/users/${id}/${action}`, fields);
      assert.equal(res.status, 303, action);
      assert.equal(res.headers.get('location'), `/admin/users/${id}?done=${done}`, action);
      page = await admin.request(`${base}${res.headers.get('location')}`);
      assert.match(page.body, /role="status"/, action);
    }
    const stored = await server.store.accounts.findById(id);
    assert.equal(stored?.role, 'auditor');
    assert.equal(stored?.emailVerified, true);
    const unknownRole = await postForm(admin, base, page, `/admin/users/${id}/role`, { role: 'no-such-role' });
    assert.equal(unknownRole.status, 404);
    assert.match(unknownRole.body, /id="role" name="role" aria-invalid="true" aria-describedby="role-error"/);

    const session = await login(server, { email, password: PASSWORD });
    const revoke = await admin.request(`${base}/admin/users/${id}/revoke-sessions`);
    assert.equal((await postForm(admin, base, revoke, `/admin/users/${id}/revoke-sessions`, { confirm: 'yes' })).status, 303);
    const me = await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${session.access_token}` } });
    assert.equal(me.status, 401);

    const del = await admin.request(`${base}/admin/users/${id}/delete`);
    const deleted = await postForm(admin, base, del, `/admin/users/${id}/delete`, { confirm: 'yes' });
    assert.equal(deleted.status, 303);
    assert.equal(deleted.headers.get('location'), '/admin/users?done=deleted');
    assert.equal(await server.store.accounts.findById(id), undefined);
    const gone = await admin.request(`${base}/admin/users/${id}`);
    assert.equal(gone.status, 404);
    assert.match(gone.headers.get('content-type') ?? '', /text\/html/);

    const audit = await admin.request(`${base}/admin/audit?subject=${id}`);
    for (const type of ['adminUpdateUser', 'adminSendPasswordReset', 'adminUnlockUser', 'adminRevokeUserSessions', 'adminDeleteUser']) {
      assert.match(audit.body, new RegExp(`admin\\.${type}`), type);
    }
  });

  it('rotates the signing keys and retires the previous one', async () => {
    const before = await admin.request(`${base}/admin/keys`);
    const rotated = await postForm(admin, base, before, '/admin/keys/rotate');
    assert.equal(rotated.status, 303);
    const after = await admin.request(`${base}/admin/keys`);
    const previous = /href="\/admin\/keys\/([^"]+)\/retire"/.exec(after.body)?.[1] ?? assert.fail('no previous key');
    const confirm = await admin.request(`${base}/admin/keys/${previous}/retire`);
    const retired = await postForm(admin, base, confirm, `/admin/keys/${decodeURIComponent(previous)}/retire`, { confirm: 'yes' });
    assert.equal(retired.status, 303);
    const final = await admin.request(`${base}/admin/keys`);
    assert.ok(!final.body.includes(`<code>${decodeURIComponent(previous)}</code>`), 'the retired key is gone');
  });

  it('shows LAST_ADMIN on the role field when the only admin would demote itself', async () => {
    const lone = await startTestServer();
    try {
      const email = uniqueEmail('lone-admin');
      const { id } = await createTestAccount(lone, { email, password: PASSWORD, role: 'admin' });
      const session = new PageSession();
      await signInToConsole(session, lone.url, `/admin/users/${id}`, { email, password: PASSWORD });
      const page = await session.request(`${lone.url}/admin/users/${id}`);
      const refused = await postForm(session, lone.url, page, `/admin/users/${id}/role`, { role: 'user' });
      assert.equal(refused.status, 409);
      assert.match(refused.body, /aria-invalid="true" aria-describedby="role-error"/);
      assert.equal((await lone.store.accounts.findById(id))?.role, 'admin');
    } finally {
      await lone.close();
    }
  });
});
