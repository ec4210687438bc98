import type Provider from 'oidc-provider';
import type { Renderer } from '../../http/render.ts';

export type AuthenticateResult =
  | { ok: true; account: { id: string; email: string } }
  | { ok: false; reason: 'INVALID_CREDENTIALS' | 'EMAIL_NOT_VERIFIED' };

export interface InteractionDeps {
  provider: Provider;
  accounts: { authenticate(email: string, password: string): Promise<AuthenticateResult> };
  render: Renderer;
}

export type InteractionDetails = Awaited<ReturnType<Provider['interactionDetails']>>;
