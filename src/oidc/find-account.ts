import type { FindAccount, KoaContextWithOIDC } from 'oidc-provider';
import type { AccountService } from '../services/accounts.ts';
import type { Account } from '../storage/ports.ts';

/** Standard claims each scope releases (OIDC Core §5.4), plus Gatehouse's `role` and `organizations`. */
export const CLAIMS_BY_SCOPE = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  profile: ['name', 'picture'],
  role: ['role'],
  organizations: ['organizations'],
};

export const ORGANIZATIONS_SCOPE = 'organizations';

/** The account's organizations as the `organizations` claim carries them (API.md): `[{id, role}]`. */
export type OrganizationsOf = (accountId: string) => Promise<Array<{ id: string; role: string }>>;

/** Whether a space-separated scope string holds the `organizations` scope. */
export const grantsOrganizations = (scope: string | undefined) => (scope ?? '').split(' ').includes(ORGANIZATIONS_SCOPE);

const loaded = new WeakMap<object, Account>();

/** Record the account a provider request has read, for accountLoadedBy. */
export function rememberAccount(ctx: object, account: Account): void {
  loaded.set(ctx, account);
}

/**
 * The account this provider context read (findAccount, or the password
 * grant), so /api/v1/auth/login and /refresh answer with it instead of
 * reading it again a moment later.
 */
export function accountLoadedBy(ctx: object): Account | undefined {
  return loaded.get(ctx);
}

/** oidc-provider's `findAccount`: oidc-provider filters the claims by granted scope. */
export function createFindAccount(accounts: AccountService, organizationsOf: OrganizationsOf): FindAccount {
  return async (ctx: KoaContextWithOIDC, sub: string) => {
    const account = await accounts.findById(sub);
    // A disabled account's grants were revoked; this refuses whatever raced that (a refresh, a code exchange).
    if (!account || account.disabled) return undefined;
    rememberAccount(ctx, account);
    return {
      accountId: account.id,
      // Read by extraTokenClaims, so issuing a token needs no second lookup.
      role: account.role,
      // The memberships are read only when the scope asks for them (oidc-provider passes the granted scope).
      claims: async (_use: string, scope: string) => ({
        ...accountClaims(account),
        ...(grantsOrganizations(scope) && { organizations: await organizationsOf(account.id) }),
      }),
    };
  };
}

/** Every claim Gatehouse can release about an account; oidc-provider filters them by scope. */
export function accountClaims(account: Account) {
  return {
    sub: account.id,
    email: account.email,
    email_verified: account.emailVerified,
    name: account.name ?? undefined,
    picture: account.picture ?? undefined,
    role: account.role,
  };
}
