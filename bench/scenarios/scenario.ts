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

/** A goal from issue #5. `ratio`: against the anchor measured in the same run; `per-core`: req/s ÷ worker processes. */
export type Goal =
  | { kind: 'ratio'; min: number }
  | { kind: 'per-core'; min: number };

/** The anchors measured in the same run that a scenario's ratio is taken against. */
export type AnchorKind = 'argon2' | 'bare-provider';

export interface Scenario {
  id: ScenarioId;
  title: string;
  connections: number;
  anchor?: AnchorKind;
  goal?: Goal;
  /** Obtain what the load needs (tokens) and check one request answers 2xx; throws with the server's answer otherwise. */
  prepare(server: ServerUnderTest): Promise<LoadSpec>;
}

/** The path of an endpoint under the issuer (/oidc/token for Gatehouse, /token for the bare provider). */
export const issuerPath = (server: ServerUnderTest, endpoint: string) => `${new URL(server.issuer).pathname.replace(/\/$/, '')}${endpoint}`;

/** One request through fetch, to fail early with the server's own answer instead of a column of non-2xx. */
export async function checkOnce(url: string, init: RequestInit, accept: (body: string) => boolean = () => true): Promise<void> {
  const res = await fetch(url, init);
  const body = await res.text();
  if (!res.ok || !accept(body)) throw new Error(`${init.method ?? 'GET'} ${new URL(url).pathname} answered ${res.status}: ${body.slice(0, 200)}`);
}
