// The device authorization grant's pages (RFC 8628 §3.3), drawn by
// oidc-provider through its deviceFlow sources. Its own markup is not used:
// the forms are ours, carrying the same fields (its xsrf secret, the code) to
// the same action, so they follow the project's layout and CSP (oidc-provider's
// input has an inline onfocus handler, which the CSP would refuse).
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { ProviderPages } from '../oidc/configuration.ts';
import { describeScope } from './interaction/consent.ts';
import type { Renderer } from './render.ts';
import { DEVICE_CODE_PREFILL } from '../oidc/device-flow.ts';

type DevicePages = Pick<ProviderPages, 'userCodeInputSource' | 'userCodeConfirmSource' | 'successSource' | 'userCodeRateLimited'>;

/** Where the forms post and the xsrf secret oidc-provider checks there (shared/xsrf.js). */
function formTarget(ctx: KoaContextWithOIDC): { action: string; xsrf: string } {
  const state = (ctx.oidc.session as unknown as { state?: { secret?: string } } | undefined)?.state;
  return { action: ctx.oidc.urlFor('code_verification'), xsrf: state?.secret ?? '' };
}

/** What went wrong with an entered code, in words; undefined when it is the page's first showing. */
function entryMessage(err: Error | undefined): string | undefined {
  switch (err?.name) {
    case undefined: return undefined;
    case 'NoCodeError': return 'Enter the code your device shows.';
    case 'NotFoundError': return 'That code is not valid. Check the code on your device and try again.';
    case 'ExpiredError': return 'That code has expired. Start again on your device to get a new one.';
    case 'AlreadyUsedError': return 'That code has already been used. Start again on your device to get a new one.';
    default: return undefined;
  }
}

const PREFILL = DEVICE_CODE_PREFILL;

/** A code from verification_uri_complete, put by device-flow.ts where the entry page finds it. */
function prefilled(ctx: KoaContextWithOIDC): string | undefined {
  const value = ctx.state[PREFILL];
  return typeof value === 'string' ? value : undefined;
}

export function createDevicePages(render: Renderer): DevicePages {
  return {
    async userCodeInputSource(ctx, _form, out, err) {
      const message = entryMessage(err);
      // An aborted confirmation or a refusal further on (consent denied,
      // sign-in failed) ends the flow: the failed page, not the entry form.
      if (err && message === undefined) {
        await render(ctx, 'device-failed', {
          message: err.name === 'AbortedError' ? 'You cancelled the sign-in. Your device was not connected.' : (out?.error_description ?? 'The sign-in could not be completed.'),
        });
        return;
      }
      const userCode = (err as { userCode?: unknown } | undefined)?.userCode;
      await render(ctx, 'device-code', {
        ...formTarget(ctx), error: message, userCode: typeof userCode === 'string' ? userCode : prefilled(ctx),
      });
    },

    async userCodeConfirmSource(ctx, _form, client, _deviceInfo, userCode) {
      const code = ctx.oidc.entities.DeviceCode as unknown as { params?: { scope?: unknown } } | undefined;
      const scope = typeof code?.params?.scope === 'string' ? code.params.scope : '';
      await render(ctx, 'device-confirm', {
        ...formTarget(ctx),
        userCode,
        clientName: client.clientName || client.clientId,
        scopes: scope.split(' ').filter(Boolean).map(describeScope),
      });
    },

    async successSource(ctx) {
      const client = ctx.oidc.client;
      await render(ctx, 'device-done', { clientName: client ? client.clientName || client.clientId : undefined });
    },

    async userCodeRateLimited(ctx, retryAfterSeconds) {
      await render(ctx, 'device-failed', {
        title: 'Too many attempts',
        message: `Too many wrong codes were entered from your network. Try again in ${Math.ceil(retryAfterSeconds / 60)} minutes.`,
      }, 429);
    },
  };
}

