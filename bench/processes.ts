// The servers under load run in processes of their own, as in production:
// Gatehouse as `node src/main.ts` (so WEB_CONCURRENCY's cluster is the real
// one), the bare oidc-provider as `node bench/bare-provider.ts`. The load
// generator in this process then never shares an event loop with them.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/support/free-port.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const STOP_TIMEOUT_MS = 15_000;

export interface ServerProcess {
  url: string;
  pid: number;
  /** SIGTERM, then wait for the exit (SIGKILL after 15 s); rejects on a non-zero exit. */
  stop(): Promise<void>;
}

/** Only what a process needs from ours, never the Gatehouse variables of the shell running the bench. */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'UV_THREADPOOL_SIZE']) {
    if (process.env[name] !== undefined) env[name] = process.env[name];
  }
  return env;
}

interface LaunchOptions {
  script: string;
  env: Record<string, string>;
  nodeArgs?: string[];
  /** Resolves once the child's stdout has said it is ready. */
  isReady(stdoutSoFar: string): boolean;
  timeoutMs?: number;
}

async function launch(options: LaunchOptions, url: string): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.script], {
    cwd: ROOT,
    env: { ...baseEnv(), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));

  await new Promise<void>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => fail(new Error(`${options.script} did not start in time`)), options.timeoutMs ?? 60_000);
    const onData = (chunk: string) => {
      stdout += chunk;
      if (!options.isReady(stdout)) return;
      // From now on the request log is read and dropped, never parsed.
      child.stdout!.off('data', onData).on('data', () => {});
      clearTimeout(timer);
      resolve();
    };
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${err.message}\n${stderr}${stdout.slice(-2000)}`));
    };
    child.stdout!.setEncoding('utf8').on('data', onData);
    void exited.then((code) => fail(new Error(`${options.script} exited (${code}) before it was ready`)));
  });

  return {
    url,
    pid: child.pid!,
    async stop() {
      await stopChild(child, exited);
      const code = await exited;
      if (code !== 0 && code !== null) throw new Error(`${options.script} exited with ${code}: ${stderr}`);
    },
  };
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/**
 * Failed sign-ins allowed per account and per IP before a lock (defaults 10
 * and 100 in 15 min). The failed-login scenario sends thousands from one IP:
 * with the defaults it would measure 429s, the lock, instead of the work of a
 * failed login. Nothing else the bench sends fails a login.
 */
export const BENCH_LOGIN_FAILURE_LIMIT = 1_000_000;

export interface GatehouseOptions {
  /** Gatehouse's environment: DATABASE_URL or DATA_DIR, CLIENTS_FILE, ... (PORT and PUBLIC_URL are added). */
  env: Record<string, string>;
  workers: number;
  nodeArgs?: string[];
}

/** Start `node src/main.ts`; resolves once every worker has logged "gatehouse listening". */
export async function startGatehouse(options: GatehouseOptions): Promise<ServerProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const listening = (out: string) => (out.match(/"msg":"gatehouse listening"/g) ?? []).length;
  return launch({
    script: 'src/main.ts',
    env: {
      ...options.env,
      PORT: String(port),
      PUBLIC_URL: url,
      WEB_CONCURRENCY: String(options.workers),
      // The production default: one log line per request, as a deployment pays for it.
      LOG_LEVEL: 'info',
      RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: String(BENCH_LOGIN_FAILURE_LIMIT),
      RATE_LIMIT_LOGIN_FAILURES_PER_IP: String(BENCH_LOGIN_FAILURE_LIMIT),
      RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_UNRECOGNISED: String(BENCH_LOGIN_FAILURE_LIMIT),
      // register-hidden: registers thousands of times from one IP, with taken addresses answered alike.
      RATE_LIMIT_REGISTRATIONS_PER_IP_PER_HOUR: String(BENCH_LOGIN_FAILURE_LIMIT),
      HIDE_EXISTING_ACCOUNTS: 'true',
    },
    nodeArgs: options.nodeArgs ?? [],
    isReady: (out) => listening(out) >= options.workers,
  }, url);
}

/** Start the bare oidc-provider with this one client. */
export async function startBareProvider(client: object): Promise<ServerProcess> {
  const port = await freePort();
  return launch({
    script: 'bench/bare-provider.ts',
    env: { PORT: String(port), BENCH_CLIENT: JSON.stringify(client) },
    isReady: (out) => out.includes('listening'),
  }, `http://127.0.0.1:${port}`);
}
