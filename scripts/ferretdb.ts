// A MongoDB-protocol server the project starts itself: FerretDB 1.x on its
// SQLite backend, built from source with the machine's Go toolchain.
//
//   node scripts/ferretdb.ts run [--require] -- <command…>
//     starts FerretDB on a free loopback port with a throwaway data directory,
//     runs the command with TEST_MONGODB_URI pointing at it, stops it after,
//     and exits with the command's code. Without Go the command runs without
//     the server, with TEST_MONGODB_UNAVAILABLE saying why (the MongoDB suites
//     are then pending); --require makes that an error instead. An existing
//     TEST_MONGODB_URI is used as is (a real MongoDB, say).
//   node scripts/ferretdb.ts serve [--port 27017] [--data-dir DIR]
//     runs it in the foreground until Ctrl-C (to try `npm start` on it).
//
// The binary is built once into .cache/ferretdb/<version>/ (git-ignored) and
// rebuilt only when FERRETDB_VERSION changes. `go install …@version` is not
// enough: FerretDB's build/version package panics at start unless
// build/version/version.txt exists, which its release tooling generates and the
// module does not ship. So the module's source is copied out of Go's module
// cache, that one file written, and ./cmd/ferretdb built.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/support/free-port.ts';

export const FERRETDB_VERSION = 'v1.24.2';
const MODULE = 'github.com/FerretDB/FerretDB';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = join(root, '.cache', 'ferretdb', FERRETDB_VERSION);
const binary = join(cacheDir, 'bin', 'ferretdb');

const log = (message: string) => console.error(`ferretdb: ${message}`);

/**
 * The go command: $GO when set (and then only it: `GO=none` acts as a machine
 * without Go), else `go` on PATH or the tarball's default location; undefined
 * when none runs.
 */
export function findGo(): string | undefined {
  const candidates = process.env.GO ? [process.env.GO] : ['go', '/usr/local/go/bin/go'];
  for (const candidate of candidates) {
    if (spawnSync(candidate, ['version'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  return undefined;
}

function go(goCmd: string, args: string[], cwd: string): string {
  const result = spawnSync(goCmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (result.status !== 0) throw new Error(`${goCmd} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
  return result.stdout;
}

/** The cached binary, building it first when this version has none yet. */
export async function ensureFerretBinary(goCmd: string): Promise<string> {
  if (existsSync(binary)) return binary;
  const started = Date.now();
  log(`building FerretDB ${FERRETDB_VERSION} into ${cacheDir} (a few minutes the first time)`);
  await mkdir(cacheDir, { recursive: true });
  const { Dir: moduleDir } = JSON.parse(go(goCmd, ['mod', 'download', '-json', `${MODULE}@${FERRETDB_VERSION}`], root)) as { Dir: string };
  // A directory per build, so two builds at once never share one.
  const src = await mkdtemp(join(cacheDir, 'src-'));
  try {
    await cp(moduleDir, src, { recursive: true, mode: 0 });
    spawnSync('chmod', ['-R', 'u+w', src]);
    await writeFile(join(src, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
    // Not src/ferretdb: that is a directory of the module (its embeddable package).
    const built = join(src, 'ferretdb.bin');
    go(goCmd, ['build', '-buildvcs=false', '-o', built, './cmd/ferretdb'], src);
    await mkdir(dirname(binary), { recursive: true });
    await rename(built, binary);
  } finally {
    await rm(src, { recursive: true, force: true });
  }
  log(`built in ${Math.round((Date.now() - started) / 1000)} s`);
  return binary;
}

/** Resolves once something accepts connections on the port, or rejects after `timeoutMs`. */
async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`FerretDB exited at start (code ${child.exitCode})`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => socket.end(() => resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`FerretDB did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

export interface RunningFerret {
  url: string;
  stop(): Promise<void>;
}

/** FerretDB on 127.0.0.1:`port` storing under `dataDir` (a new temporary one, removed at stop, when not given). */
export async function startFerret(
  bin: string,
  options: { port?: number; dataDir?: string; logFile?: string } = {},
): Promise<RunningFerret> {
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'gatehouse-ferretdb-')));
  await mkdir(dataDir, { recursive: true });
  // FerretDB logs every command it refuses, with the whole request: tests
  // send such commands on purpose, so under `run` its log goes to a file.
  const output = options.logFile === undefined ? 'inherit' : openSync(options.logFile, 'w');
  const child = spawn(
    bin,
    [
      `--listen-addr=127.0.0.1:${port}`,
      '--handler=sqlite',
      `--sqlite-url=file:${dataDir}/`,
      `--state-dir=${dataDir}`,
      '--telemetry=disable',
      '--log-level=warn',
      '--debug-addr=-',
    ],
    { stdio: ['ignore', output, output] },
  );
  if (typeof output === 'number') closeSync(output);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, child, 30_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: `mongodb://127.0.0.1:${port}`, stop };
}

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args[at + 1];
}

async function run(args: string[]): Promise<number> {
  const dashes = args.indexOf('--');
  const command = dashes === -1 ? [] : args.slice(dashes + 1);
  if (command.length === 0) throw new Error('usage: node scripts/ferretdb.ts run [--require] -- <command…>');
  const required = args.slice(0, Math.max(dashes, 0)).includes('--require');
  const env = { ...process.env };
  let server: RunningFerret | undefined;
  if (!env.TEST_MONGODB_URI) {
    const goCmd = findGo();
    if (goCmd === undefined) {
      const reason = 'no Go toolchain found to build FerretDB (install Go, or set TEST_MONGODB_URI to a MongoDB server)';
      if (required) throw new Error(reason);
      log(`${reason}; the MongoDB suites will be pending`);
      env.TEST_MONGODB_UNAVAILABLE = reason;
    } else {
      const logFile = join(cacheDir, 'last-run.log');
      server = await startFerret(await ensureFerretBinary(goCmd), { logFile });
      env.TEST_MONGODB_URI = server.url;
      log(`FerretDB ${FERRETDB_VERSION} listening at ${server.url} (its log: ${logFile})`);
    }
  }
  const child = spawn(command[0]!, command.slice(1), { stdio: 'inherit', env });
  const code = await new Promise<number>((resolve) => child.once('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0))));
  await server?.stop();
  return code;
}

async function serve(args: string[]): Promise<void> {
  const goCmd = findGo();
  if (goCmd === undefined) throw new Error('no Go toolchain found to build FerretDB (https://go.dev/doc/install)');
  const port = Number(option(args, '--port') ?? 27017);
  const dataDir = option(args, '--data-dir');
  const server = await startFerret(await ensureFerretBinary(goCmd), { port, ...(dataDir !== undefined && { dataDir }) });
  log(`FerretDB ${FERRETDB_VERSION} listening at ${server.url} (data in ${dataDir ?? 'a temporary directory, removed at exit'}); Ctrl-C stops it`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.stop();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [verb, ...rest] = process.argv.slice(2);
  const main = verb === 'run' ? run(rest) : verb === 'serve' ? serve(rest).then(() => 0) : Promise.reject(new Error('usage: node scripts/ferretdb.ts run|serve …'));
  main.then(
    (code) => process.exit(code),
    (err: unknown) => {
      log(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}
