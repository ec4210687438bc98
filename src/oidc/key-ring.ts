// The keys a process signs and verifies with, kept live: re-read from the
// SecretStore every KEYS_REFRESH_SECONDS, and handed to every listener (the
// provider's keystore and cookie keys, the app's cookie keys, the API's
// token verifier) when the set changed. So a rotation or retirement made
// through any instance reaches every instance within that interval, with no
// restart; the instance that made it refreshes at once.
import type { Logger } from '../logger.ts';
import type { SecretStore } from '../storage/ports.ts';
import { ACCESS_TOKEN_ALG, ID_TOKEN_ALG, loadOrCreateSecrets, type ServerSecrets } from './secrets.ts';

export type KeysListener = (secrets: ServerSecrets) => void;

export interface KeyRing {
  /** The keys now in use (a new object after each change; never mutated). */
  current(): ServerSecrets;
  /** Subscribe to changes; called synchronously after each swap. */
  onChange(listener: KeysListener): void;
  /** Re-read the store now; true when the keys changed and were swapped. */
  refresh(): Promise<boolean>;
  /** Start re-reading every refreshMs (once the process serves; a start that fails leaves no timer behind). */
  start(): void;
  /** Stop the periodic refresh. */
  stop(): void;
}

/** Which keys, in which order: equal fingerprints mean nothing to swap. */
const fingerprint = (ids: { signing: string[]; cookies: string[] }) => JSON.stringify(ids);

async function read(store: SecretStore): Promise<{ secrets: ServerSecrets; print: string }> {
  const signing = await store.findByKind('signing-key');
  const cookies = await store.findByKind('cookie-key');
  return {
    secrets: Object.freeze({
      signingKeys: signing.map((s) => s.material),
      cookieKeys: cookies.map((s) => String(s.material.value)),
    }),
    print: fingerprint({ signing: signing.map((s) => s.id), cookies: cookies.map((s) => s.id) }),
  };
}

/** What a process cannot serve without: a key of each algorithm it signs with, and a cookie key. */
function unusable(secrets: ServerSecrets): string | undefined {
  for (const alg of [ID_TOKEN_ALG, ACCESS_TOKEN_ALG]) {
    if (!secrets.signingKeys.some((key) => key.alg === alg)) return `no ${alg} signing key`;
  }
  return secrets.cookieKeys.length === 0 ? 'no cookie key' : undefined;
}

export async function openKeyRing(store: SecretStore, options: { refreshMs: number; logger: Logger }): Promise<KeyRing> {
  await loadOrCreateSecrets(store);
  let { secrets, print } = await read(store);
  const listeners: KeysListener[] = [];

  async function refreshOnce(): Promise<boolean> {
    const next = await read(store);
    if (next.print === print) return false;
    const problem = unusable(next.secrets);
    if (problem) {
      // Keep signing with what we have rather than fail every request.
      options.logger.error({ problem }, 'stored keys are unusable; keeping the current ones');
      return false;
    }
    for (const listener of listeners) listener(next.secrets);
    ({ secrets, print } = next);
    options.logger.info({ signingKeys: next.secrets.signingKeys.map((key) => key.kid) }, 'keys swapped');
    return true;
  }

  // Reads run one after another, and each call gets a read that starts after
  // it was made: an admin's refresh right after a rotation must see the new
  // keys, not join a timer read that began before them.
  let queue: Promise<unknown> = Promise.resolve();
  const refresh = (): Promise<boolean> => {
    const run = queue.then(refreshOnce);
    queue = run.catch(() => undefined);
    return run;
  };

  let ticking = false;
  const tick = () => {
    // A slow database must not pile up reads: skip a tick while one is pending.
    if (ticking) return;
    ticking = true;
    refresh()
      .catch((err: unknown) => options.logger.warn({ err }, 'could not re-read the keys; keeping the current ones'))
      .finally(() => (ticking = false));
  };
  let timer: NodeJS.Timeout | undefined;

  return {
    current: () => secrets,
    onChange: (listener) => void listeners.push(listener),
    refresh,
    start() {
      timer ??= setInterval(tick, options.refreshMs).unref();
    },
    stop: () => clearInterval(timer),
  };
}
