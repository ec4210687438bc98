// /admin/clients: OAuth clients over the client admin service, under the
// admin API's permissions (clients:read to look, clients:write to change).
// A new or rotated secret is shown in the answer to the POST that made it
// and never again (the store keeps only its hash).
import type Router from '@koa/router';
import type { Context } from 'koa';
import { InvalidClientMetadataError } from '../../errors.ts';
import { formOf } from '../form-body.ts';
import { addConfirmedAction } from './confirm.ts';
import { isShownRefusal, type AdminKit, type AdminPagesDeps } from './admin-kit.ts';
import { checkValues, fieldOfMessage, GRANTS, metadataOf, valuesOf, valuesOfClient, type ClientFormValues } from './client-form.ts';

const SECTION = '/admin/clients';
const PAGE_SIZE = 50;
const DONE: Record<string, string> = { created: 'The client was created.', saved: 'The client was saved.', deleted: 'The client was deleted.' };

export function addClientPages(router: Router, deps: AdminPagesDeps, kit: AdminKit): void {
  const { clients } = deps;
  const id = (ctx: Context) => String(ctx.params.id ?? '');
  const nameOf = (metadata: Record<string, unknown>) => (typeof metadata.client_name === 'string' ? metadata.client_name : '');

  router.get(SECTION, ...kit.page('clients:read'), async function listClients(ctx) {
    const after = typeof ctx.query.after === 'string' && ctx.query.after.length <= 200 ? ctx.query.after : undefined;
    const found = await clients.list({ after, limit: PAGE_SIZE + 1 });
    const shown = found.slice(0, PAGE_SIZE);
    const next = found.length > PAGE_SIZE ? shown.at(-1)?.clientId : undefined;
    await kit.show(ctx, 'admin-clients', {
      title: 'Clients', section: SECTION, clients: shown.map((c) => ({ ...c, name: nameOf(c.metadata) })), next, done: DONE[String(ctx.query.done)],
    });
  });

  async function showForm(ctx: Context, values: ClientFormValues, extra: Record<string, unknown>, status?: number) {
    await kit.show(ctx, 'admin-client-form', { title: 'New client', section: SECTION, values, grants: GRANTS, action: SECTION, isNew: true, ...extra }, status);
  }

  router.get(`${SECTION}/new`, ...kit.page('clients:write'), (ctx) =>
    showForm(ctx, { client_name: '', redirect_uris: '', grants: ['authorization_code', 'refresh_token'], type: 'confidential', requireMfa: false }, {}));

  /** A service refusal on the form: tied to its field when the message names one. */
  function refusalErrors(err: Error): { errors?: Record<string, string>; error?: string } {
    const field = err instanceof InvalidClientMetadataError ? fieldOfMessage(err.message) : undefined;
    return field ? { errors: { [field]: err.message } } : { error: err.message };
  }

  router.post(SECTION, ...kit.post('clients:write'), async function createClient(ctx) {
    const values = valuesOf(formOf(ctx));
    const errors = checkValues(values);
    if (Object.keys(errors).length > 0) return showForm(ctx, values, { errors }, 400);
    let created;
    try {
      created = await kit.audited(ctx, 'adminCreateClient', null, () => clients.create(metadataOf(values, true)));
    } catch (err) {
      if (!isShownRefusal(err)) throw err;
      return showForm(ctx, values, refusalErrors(err), err.status);
    }
    if (created.clientSecret === undefined) {
      ctx.status = 303;
      ctx.redirect(`${SECTION}/${encodeURIComponent(created.client.clientId)}?done=created`);
      return;
    }
    await kit.show(ctx, 'admin-client-secret', {
      title: 'Client created', section: SECTION, clientId: created.client.clientId, name: values.client_name, secret: created.clientSecret,
    });
  });

  async function showClient(ctx: Context, extra: Record<string, unknown> = {}, status?: number) {
    const client = await clients.get(id(ctx));
    const values = (extra.values as ClientFormValues | undefined) ?? valuesOfClient(client);
    await kit.show(ctx, 'admin-client', {
      title: nameOf(client.metadata) || client.clientId, section: SECTION, client, values, grants: GRANTS,
      editable: client.source === 'api', confidential: client.metadata.token_endpoint_auth_method !== 'none',
      done: DONE[String(ctx.query.done)], ...extra,
    }, status);
  }

  router.get(`${SECTION}/:id`, ...kit.page('clients:read'), (ctx) => showClient(ctx));

  router.post(`${SECTION}/:id`, ...kit.post('clients:write'), async function updateClient(ctx) {
    const values = valuesOf(formOf(ctx));
    const current = await clients.get(id(ctx));
    values.type = valuesOfClient(current).type;
    const errors = checkValues(values);
    if (Object.keys(errors).length > 0) return showClient(ctx, { values, errors }, 400);
    try {
      await kit.audited(ctx, 'adminUpdateClient', id(ctx), () => clients.update(id(ctx), metadataOf(values, false)));
    } catch (err) {
      if (!isShownRefusal(err)) throw err;
      return showClient(ctx, { values, ...refusalErrors(err) }, err.status);
    }
    ctx.status = 303;
    ctx.redirect(`${SECTION}/${encodeURIComponent(id(ctx))}?done=saved`);
  });

  const describe = (title: string, message: string, button: string) => async (ctx: Context) => {
    const client = await clients.get(id(ctx));
    return { title: `${title}: ${nameOf(client.metadata) || client.clientId}`, message, button, back: `${SECTION}/${encodeURIComponent(client.clientId)}` };
  };
  addConfirmedAction(router, kit, {
    path: `${SECTION}/:id/rotate-secret`, permission: 'clients:write', section: SECTION,
    describe: describe('New secret', 'A new secret is made and shown once; the current one stops working at once.', 'Make a new secret'),
    async run(ctx) {
      const rotated = await kit.audited(ctx, 'adminRotateClientSecret', id(ctx), () => clients.rotateSecret(id(ctx), 0));
      const client = await clients.get(id(ctx));
      await kit.show(ctx, 'admin-client-secret', {
        title: 'New client secret', section: SECTION, clientId: client.clientId, name: nameOf(client.metadata), secret: rotated.clientSecret,
      });
      return undefined;
    },
  });
  addConfirmedAction(router, kit, {
    path: `${SECTION}/:id/delete`, permission: 'clients:write', section: SECTION,
    describe: describe('Delete', 'The client goes with every grant and token it holds. This cannot be undone.', 'Delete the client'),
    async run(ctx) {
      await kit.audited(ctx, 'adminDeleteClient', id(ctx), () => clients.delete(id(ctx)));
      return `${SECTION}?done=deleted`;
    },
  });
}
