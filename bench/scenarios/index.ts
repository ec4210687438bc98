import type { ScenarioId } from '../options.ts';
import { adminUsersSearch } from './admin-users-search.ts';
import { clientCredentials } from './client-credentials.ts';
import { failedLogin } from './failed-login.ts';
import { loginBurst } from './login-burst.ts';
import { loginAtApi, loginAtTokenEndpoint } from './password-login.ts';
import { refresh } from './refresh.ts';
import { registerHidden } from './register-hidden.ts';
import type { Scenario } from './scenario.ts';
import { introspection } from './introspection.ts';
import { me } from './me.ts';
import { userinfo } from './userinfo.ts';

export const SCENARIOS: Record<ScenarioId, Scenario> = {
  'login-token': loginAtTokenEndpoint,
  'login-api': loginAtApi,
  'failed-login': failedLogin,
  'register-hidden': registerHidden,
  'login-burst': loginBurst,
  'client-credentials': clientCredentials,
  refresh,
  introspection,
  userinfo,
  me,
  'admin-users-search': adminUsersSearch,
};

/** Compared on 1 and 2 worker processes: the CPU-bound ones (logins are bound by argon2's thread pool instead). */
export const CORES_SCENARIOS: ScenarioId[] = ['refresh', 'introspection', 'me'];
