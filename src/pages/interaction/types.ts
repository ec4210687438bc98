import type Provider from 'oidc-provider';
import type { Renderer } from '../render.ts';
import type { AccountService } from '../../services/accounts.ts';

export interface InteractionDeps {
  provider: Provider;
  accounts: Pick<AccountService, 'authenticate'>;
  render: Renderer;
}

export type InteractionDetails = Awaited<ReturnType<Provider['interactionDetails']>>;
