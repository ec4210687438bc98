// Recent security activity: the audit log's events about this account (the
// same list as GET /api/v1/me/events), newest first.
import type { Router } from '@koa/router';
import type { Audit } from '../../../services/audit.ts';
import { csrfToken } from '../../csrf.ts';
import type { RequireConsole } from '../../console/require-console.ts';
import { consoleState, type ConsoleKit } from './kit.ts';

const SHOWN = 50;

/** What each event type says to the account's owner; others show their type. */
const LABELS: Readonly<Record<string, string>> = {
  sign_in: 'Sign-in',
  sign_out: 'Sign-out',
  registration: 'Account created',
  'email.verified': 'Email address confirmed',
  'password.changed': 'Password changed',
  'password_reset.requested': 'Password reset requested',
  'password_reset.completed': 'Password reset',
  'session.revoked': 'Session signed out',
  'grant.revoked': 'App access removed',
  'refresh_token.reuse': 'A used refresh token came back (session ended)',
  'backchannel_logout.failed': 'An app could not be told that a session ended',
  'account.deleted': 'Account deleted',
  'organization.created': 'Organization created',
  'organization.updated': 'Organization renamed',
  'organization.deleted': 'Organization deleted',
  'member.role_changed': 'Organization role changed',
  'member.removed': 'Removed from an organization',
  'invitation.accepted': 'Organization invitation accepted',
};

export function addActivityPages(router: Router, deps: { kit: ConsoleKit; requireConsole: RequireConsole; audit: Pick<Audit, 'listForSubject'> }): void {
  router.get('/account/activity', deps.requireConsole(), csrfToken(), async function showActivity(ctx) {
    const events = await deps.audit.listForSubject(consoleState(ctx).account.id, { limit: SHOWN });
    await deps.kit.render(ctx, 'account-activity', {
      current: 'activity',
      events: events.map((event) => ({ ...event, label: LABELS[event.type] ?? event.type })),
    });
  });
}
