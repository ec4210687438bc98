// The account's organizations: the list with the person's role in each,
// leaving one, creating one, and the page an invitation mail links to
// (sign in, then confirm to join). Same service as /api/v1/organizations.
import type { Router } from '@koa/router';
import { z } from 'zod';
import { LastOwnerError } from '../../../errors.ts';
import { organizationNameField } from '../../../http/api/organization-schemas.ts';
import type { OrganizationService } from '../../../services/organizations.ts';
import { csrfToken } from '../../csrf.ts';
import type { RequireConsole } from '../../console/require-console.ts';
import { consoleState, type ConsoleKit } from './kit.ts';

type Organizations = Pick<OrganizationService, 'listMine' | 'create' | 'removeMember' | 'peek' | 'accept'>;

const tokenOf = (value: unknown) => (typeof value === 'string' && value.length > 0 && value.length <= 512 ? value : undefined);

export function addOrganizationPages(router: Router, deps: { kit: ConsoleKit; requireConsole: RequireConsole; organizations: Organizations }): void {
  const { kit, organizations } = deps;

  router.get('/account/organizations', deps.requireConsole(), csrfToken(), async function showOrganizations(ctx) {
    const mine = await organizations.listMine(consoleState(ctx).account.id);
    await kit.render(ctx, 'account-organizations', { current: 'organizations', organizations: mine });
  });

  router.post('/account/organizations', deps.requireConsole(), ...kit.pageForm({
    schema: z.object({ name: organizationNameField }),
    view: 'account-organizations',
    values: (form) => ({ current: 'organizations', organizations: [], name: form.name }),
    async onSuccess(ctx, { name }) {
      await organizations.create(consoleState(ctx).account, name);
      return '/account/organizations?done=org-created';
    },
  }));

  router.post('/account/organizations/:id/leave', deps.requireConsole(), ...kit.pageForm({
    schema: z.object({}),
    view: 'account-organizations',
    values: () => ({ current: 'organizations', organizations: [] }),
    async onSuccess(ctx) {
      const { id } = consoleState(ctx).account;
      try {
        await organizations.removeMember(id, ctx.params.id ?? '', id);
      } catch (err) {
        if (err instanceof LastOwnerError) return '/account/organizations?done=org-last-owner';
        throw err;
      }
      return '/account/organizations?done=org-left';
    },
  }));

  // Accepting takes a POST: a GET (a mail scanner following the link) changes nothing.
  router.get('/account/organizations/accept', deps.requireConsole(), csrfToken(), async function showInvitation(ctx) {
    const token = tokenOf(ctx.query.token);
    const offer = token === undefined ? undefined : await organizations.peek(token);
    await kit.render(ctx, 'account-organization-accept', {
      current: 'organizations', token, offer,
      error: offer ? undefined : 'This invitation link is invalid, already used or expired.',
    }, offer ? 200 : 400);
  });

  router.post('/account/organizations/accept', deps.requireConsole(), ...kit.pageForm({
    schema: z.object({ token: z.string().min(1).max(512) }),
    view: 'account-organization-accept',
    values: (form) => ({ current: 'organizations', token: form.token }),
    async onSuccess(ctx, { token }) {
      await organizations.accept(consoleState(ctx).account, token);
      return '/account/organizations?done=org-joined';
    },
  }));
}
