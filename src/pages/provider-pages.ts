// The HTML oidc-provider renders itself, drawn with our views so every page
// looks the same and obeys the same CSP (its defaults carry inline styles and
// a Google Fonts import).
import type { ErrorOut, KoaContextWithOIDC } from 'oidc-provider';
import type { ProviderPages } from '../oidc/configuration.ts';
import type { Renderer } from './render.ts';
import { createDevicePages } from './device-pages.ts';

function clientName(ctx: KoaContextWithOIDC): string | undefined {
  const client = ctx.oidc?.client;
  return client ? client.clientName || client.clientId : undefined;
}

export function createProviderPages(render: Renderer): ProviderPages {
  return {
    ...createDevicePages(render),

    async logoutSource(ctx, form) {
      // `form` is oidc-provider's own markup (an empty <form id="op.logoutForm">
      // with its xsrf secret); the template embeds it raw and its buttons join
      // that form through the form="op.logoutForm" attribute.
      await render(ctx, 'logout', { form, clientName: clientName(ctx) });
    },

    async postLogoutSuccessSource(ctx) {
      await render(ctx, 'logout-success', { clientName: clientName(ctx) });
    },

    async renderError(ctx, out: ErrorOut) {
      // The status was set by oidc-provider's error handler; keep it. Only
      // `out` is shown (escaped by the template), never the error object.
      await render(ctx, 'error', {
        title: 'Something went wrong',
        message: out.error_description ?? 'The request could not be completed.',
        code: out.error,
      });
    },
  };
}
