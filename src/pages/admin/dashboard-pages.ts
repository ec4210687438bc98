// /admin: the dashboard. Each figure shows only to a role that may read it
// (the accounts and sessions: users:read; sign-ins: audit:read).
// Cost: live sessions are one count query; accounts and sign-ins are counted
// by listing up to COUNT_CAP rows (one indexed query each) and shown as
// "1000 or more" beyond, which keeps the page cheap on a large install.
import type Router from '@koa/router';
import { grants } from '../../http/middleware/require-admin.ts';
import type { AuditResult } from '../../storage/ports.ts';
import { consoleOf, type AdminKit, type AdminPagesDeps } from './admin-kit.ts';

export const COUNT_CAP = 1000;
const DAY_MS = 24 * 3600 * 1000;

const capped = (n: number) => (n > COUNT_CAP ? `${COUNT_CAP} or more` : String(n));

export function addDashboardPages(router: Router, deps: AdminPagesDeps, kit: AdminKit): void {
  router.get('/admin', ...kit.page('*'), async function showDashboard(ctx) {
    const { permissions } = consoleOf(ctx).caller;
    const now = new Date();
    const since = new Date(now.getTime() - DAY_MS);
    const signIns = async (result: AuditResult) =>
      capped((await deps.audit.list({ type: 'sign_in', result, since }, { limit: COUNT_CAP + 1 })).length);
    const stats: Array<{ label: string; value: string; href?: string }> = [];
    if (grants(permissions, 'users:read')) {
      const accounts = await deps.adminUsers.list({ limit: COUNT_CAP + 1 });
      stats.push({ label: 'Accounts', value: capped(accounts.length), href: '/admin/users' });
      stats.push({ label: 'Active sessions', value: String(await deps.sessions.countLive(now)) });
    }
    if (grants(permissions, 'audit:read')) {
      stats.push({ label: 'Sign-ins, last 24 h', value: await signIns('success'), href: `/admin/audit?type=sign_in&result=success&since=${encodeURIComponent(since.toISOString())}` });
      stats.push({ label: 'Failed sign-ins, last 24 h', value: await signIns('failure'), href: `/admin/audit?type=sign_in&result=failure&since=${encodeURIComponent(since.toISOString())}` });
    }
    await kit.show(ctx, 'admin-dashboard', { title: 'Dashboard', section: '/admin', stats });
  });
}
