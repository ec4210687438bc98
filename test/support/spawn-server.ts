// Runs the real `node src/main.ts` as a child process, the way `npm start`
// does: for what only a process shows (exit codes, stderr, signals, restarts
// on the same DATA_DIR).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The project's Node 24 (the system node may be older and cannot strip types). */
export const NODE_BIN = join(REPO_ROOT, 'node_modules', '.bin', 'node');
const MAIN = join(REPO_ROOT, 'src', 'main.ts');

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnedServer {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited. */
  exited: Promise<Exit>;
  /** Send `signal` (SIGTERM by default) and wait for the exit; `ms` is how long that took. */
  stop(signal?: NodeJS.Signals): Promise<Exit & { ms: number }>;
}

/**
 * The child's environment: only what a process needs from ours (PATH, HOME,
 * TMPDIR), never the Gatehouse variables of the shell running the tests.
 */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const inherited: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG']) {
    if (process.env[name] !== undefined) inherited[name] = process.env[name];
  }
  return { ...inherited, NODE_ENV: 'test', ...env };
}

function launch(env: Record<string, string>, args: string[] = [MAIN], input?: string, cwd = REPO_ROOT) {
  const child = spawn(NODE_BIN, args, { cwd, env: childEnv(env), stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  if (input !== undefined) child.stdin!.end(input);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<Exit>((resolve) => {
    // 'close' (not 'exit') so the output streams are fully read.
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

export type Run = Exit & { stdout: string; stderr: string };

/** Run main.ts to its exit (for configurations it must refuse); kills it after timeoutMs. */
export function runMain(env: Record<string, string>, timeoutMs = 20_000): Promise<Run> {
  return runNode([MAIN], env, timeoutMs);
}

/** Run `node ...args` from the repository root to its exit, with `input` on its stdin; kills it after timeoutMs. */
export async function runNode(args: string[], env: Record<string, string>, timeoutMs = 20_000, input?: string): Promise<Run> {
  const run = launch(env, args, input);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), timeoutMs);
  const exit = await run.exited;
  clearTimeout(timer);
  return { ...exit, stdout: run.stdout(), stderr: run.stderr() };
}

export interface SpawnOptions {
  /** DATA_DIR for the embedded database (required: it is what a restart shares). */
  dataDir: string;
  /** Defaults to a free port. */
  port?: number;
  env?: Record<string, string>;
  logLevel?: string;
  /** How long to wait for GET /health. */
  readyTimeoutMs?: number;
  /** The working directory (where `.env` is looked for); the repository root by default. */
  cwd?: string;
}

/** Start Gatehouse and resolve once GET /health answers 200; rejects with the child's stderr if it exits first. */
export async function spawnServer(options: SpawnOptions): Promise<SpawnedServer> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const run = launch({
    PORT: String(port),
    PUBLIC_URL: url,
    DATA_DIR: options.dataDir,
    LOG_LEVEL: options.logLevel ?? 'warn',
    ...options.env,
  }, undefined, undefined, options.cwd);
  let exit: Exit | undefined;
  void run.exited.then((e) => (exit = e));

  const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
  for (;;) {
    if (exit) throw new Error(`gatehouse exited (${exit.code ?? exit.signal}) before it was healthy:\n${run.stderr()}${run.stdout()}`);
    const ok = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      run.child.kill('SIGKILL');
      throw new Error(`gatehouse did not answer /health within the timeout:\n${run.stderr()}${run.stdout()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    url,
    port,
    child: run.child,
    exited: run.exited,
    stdout: run.stdout,
    stderr: run.stderr,
    async stop(signal = 'SIGTERM') {
      const started = performance.now();
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill(signal);
      const result = await run.exited;
      return { ...result, ms: performance.now() - started };
    },
  };
}

/** A fresh temporary directory, and a function that removes it. */
export async function tempDir(prefix = 'gatehouse-'): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
