// What a scenario is: a name, a fixed number of connections, how to build its
// load against a running server, and the goal for it.
import type { LoadSpec } from '../load.ts';
import type { ScenarioId } from '../options.ts';

export interface ServerUnderTest {
  /** Base URL: http://127.0.0.1:port */
  url: string;
  /** OIDC issuer (the base URL plus /oidc for Gatehouse, the base URL itself for the bare provider). */
  issuer: string;
}

/**
 * A goal from issues #3 and #5. `ratio`: at least `min` × the anchor measured
 * in the same run; `range`: between `min` and `max` × the anchor (a timing
 * that must not tell two cases apart); `per-core`: req/s ÷ worker processes.
 */
export type Goal =
  | { kind: 'ratio'; min: number }
  | { kind: 'range'; min: number; max: number }
  | { kind: 'per-core'; min: number };

/**
 * What a scenario's ratio is taken against, measured side by side with it:
 * the argon2 bound, a bare oidc-provider, or another load on the same
 * Gatehouse (`label` names it in the anchor and target columns).
 */
export type Anchor =
  | { kind: 'argon2' }
  | { kind: 'bare-provider' }
  | { kind: 'same-server'; title: string; label: string; prepare(server: ServerUnderTest): Promise<LoadSpec> };

export interface Scenario {
  id: ScenarioId;
  title: string;
  connections: number;
  anchor?: Anchor;
  goal?: Goal;
  /** false: measured on the empty store only, not again on the grown one. */
  growth?: boolean;
  /** Obtain what the load needs (tokens) and check one request gets the expected answer; throws with the server's answer otherwise. */
  prepare(server: ServerUnderTest): Promise<LoadSpec>;
}

/** The path of an endpoint under the issuer (/oidc/token for Gatehouse, /token for the bare provider). */
export const issuerPath = (server: ServerUnderTest, endpoint: string) => `${new URL(server.issuer).pathname.replace(/\/$/, '')}${endpoint}`;

export interface Expectation {
  /** The status the load expects (LoadSpec.expectStatus); any 2xx when absent. */
  status?: number;
  body?(text: string): boolean;
}

/** One request through fetch, to fail early with the server's own answer instead of a column of unexpected answers. */
export async function checkOnce(url: string, init: RequestInit, expect: Expectation = {}): Promise<void> {
  const res = await fetch(url, init);
  const body = await res.text();
  const statusOk = expect.status === undefined ? res.ok : res.status === expect.status;
  if (!statusOk || !(expect.body?.(body) ?? true)) {
    throw new Error(`${init.method ?? 'GET'} ${new URL(url).pathname} answered ${res.status}: ${body.slice(0, 200)}`);
  }
}
