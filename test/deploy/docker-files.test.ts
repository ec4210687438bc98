// Docker is not installed where these files were written, so this is what
// checks them: docker-compose.yml parsed and held to what the issue asks
// (services, healthchecks, volumes, ports, configuration Gatehouse accepts),
// the Dockerfile's stages, user, healthcheck and copied files, and the
// .dockerignore allow-list. The healthcheck command itself is run against a
// local HTTP server.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseConfig } from '../../src/config.ts';
import { NODE_BIN, REPO_ROOT } from '../support/spawn-server.ts';

const read = (file: string) => readFileSync(join(REPO_ROOT, file), 'utf8');

// --- docker-compose.yml ------------------------------------------------------

interface Healthcheck {
  test: string[] | string;
  interval?: string;
  timeout?: string;
  retries?: number;
}

interface Service {
  image?: string;
  build?: string | { context: string };
  profiles?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: Healthcheck;
  depends_on?: Record<string, { condition: string }>;
}

interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

/** Compose's interpolation with nothing set in the environment: `${X:-default}` gives the default, `${X}` gives ''. */
function interpolate(value: string): string {
  return value.replace(/\$\{(\w+)(?::?-([^}]*))?\}/g, (_, _name: string, fallback?: string) => fallback ?? '');
}

/** The names config.ts's zod schema reads (its `NAME: z...` keys). */
function configVariables(): Set<string> {
  const source = read('src/config.ts');
  const body = /const schema = z\.object\(\{([\s\S]*?)\n\}\);/.exec(source)?.[1];
  assert.ok(body, 'found the schema in src/config.ts');
  return new Set([...body.matchAll(/^\s+([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]!));
}

/** The names in API.md's configuration table, when the shared docs are checked out next to the repository. */
function apiVariables(): Set<string> | undefined {
  const path = join(REPO_ROOT, '..', 'shared', 'API.md');
  if (!existsSync(path)) return undefined;
  const rows = readFileSync(path, 'utf8').split('\n').filter((line) => /^\| `[A-Z_]+`/.test(line));
  return new Set(rows.flatMap((row) => [...row.split('|')[1]!.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]!)));
}

const namedVolume = (mount: string) => {
  const source = mount.split(':')[0]!;
  return /^[a-z0-9][a-z0-9_.-]*$/i.test(source) ? source : undefined;
};

const healthcheckCommand = (check: Healthcheck | undefined) =>
  Array.isArray(check?.test) ? check.test.join(' ') : String(check?.test ?? '');

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true }) as Compose;
  const services = compose.services;
  const gatehouses = ['gatehouse', 'gatehouse-postgres'] as const;

  it('has the server on MongoDB by default and a postgres profile', () => {
    assert.deepEqual(Object.keys(services).sort(), ['gatehouse', 'gatehouse-postgres', 'mongo', 'postgres']);
    assert.equal(services.gatehouse?.profiles, undefined, '`docker compose up` starts gatehouse');
    assert.equal(services.mongo?.profiles, undefined, '`docker compose up` starts mongo');
    assert.deepEqual(services.postgres?.profiles, ['postgres']);
    assert.deepEqual(services['gatehouse-postgres']?.profiles, ['postgres']);
  });

  it('builds gatehouse from the Dockerfile and serves it on :3000 backed by MongoDB once mongo is healthy', () => {
    const gatehouse = services.gatehouse!;
    const context = typeof gatehouse.build === 'string' ? gatehouse.build : gatehouse.build?.context;
    assert.equal(context, '.');
    assert.ok(existsSync(join(REPO_ROOT, 'Dockerfile')));
    assert.ok(gatehouse.ports?.includes('3000:3000'), String(gatehouse.ports));
    assert.equal(gatehouse.environment?.DATABASE_URL, 'mongodb://mongo:27017/gatehouse');
    assert.deepEqual(gatehouse.depends_on, { mongo: { condition: 'service_healthy' } });
  });

  it('runs MongoDB 8 with a mongosh ping healthcheck and a named volume, reachable from the host for the tests', () => {
    const mongo = services.mongo!;
    assert.match(mongo.image ?? '', /^mongo:8(\b|$)/);
    assert.match(healthcheckCommand(mongo.healthcheck), /^CMD mongosh .*ping/);
    assert.ok(mongo.volumes?.some((v) => v.endsWith(':/data/db') && namedVolume(v)), String(mongo.volumes));
    // TEST_MONGODB_URI=mongodb://127.0.0.1:27017, and only on loopback.
    assert.ok(mongo.ports?.includes('127.0.0.1:27017:27017'), String(mongo.ports));
  });

  it('runs PostgreSQL 17 with a pg_isready healthcheck and a named volume; gatehouse-postgres waits for it', () => {
    const postgres = services.postgres!;
    assert.match(postgres.image ?? '', /^postgres:17(\b|$)/);
    assert.match(healthcheckCommand(postgres.healthcheck), /pg_isready/);
    assert.ok(postgres.volumes?.some((v) => v.endsWith(':/var/lib/postgresql/data') && namedVolume(v)), String(postgres.volumes));
    const server = services['gatehouse-postgres']!;
    assert.deepEqual(server.depends_on, { postgres: { condition: 'service_healthy' } });
    const url = new URL(interpolate(server.environment?.DATABASE_URL ?? ''));
    assert.equal(url.protocol, 'postgres:');
    assert.equal(url.hostname, 'postgres');
    const env = postgres.environment ?? {};
    assert.equal(url.username, env.POSTGRES_USER);
    assert.equal(url.password, interpolate(env.POSTGRES_PASSWORD ?? ''));
    assert.equal(url.pathname, `/${env.POSTGRES_DB}`);
  });

  it('gives every healthcheck an interval, a timeout and retries', () => {
    for (const name of ['mongo', 'postgres']) {
      const check = services[name]?.healthcheck;
      assert.ok(check?.interval && check.timeout && check.retries, name);
    }
  });

  it('declares every named volume it mounts, and mounts every one it declares', () => {
    const used = new Set(Object.values(services).flatMap((s) => (s.volumes ?? []).map(namedVolume).filter((v) => v !== undefined)));
    assert.deepEqual([...used].sort(), Object.keys(compose.volumes ?? {}).sort());
  });

  it('passes the servers only variables Gatehouse reads (src/config.ts, API.md), as a configuration it accepts', () => {
    const known = configVariables();
    const documented = apiVariables();
    for (const name of gatehouses) {
      const environment = services[name]!.environment ?? {};
      for (const variable of Object.keys(environment)) {
        assert.ok(known.has(variable), `${name}: ${variable} is not read by src/config.ts`);
        if (documented && !documented.has(variable)) assert.ok(variable === 'NODE_ENV', `${name}: ${variable} is not in API.md's table`);
      }
      const env = Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, interpolate(String(v))]));
      const config = parseConfig(env);
      assert.equal(config.port, 3000, name);
      assert.equal(config.env, 'development', `${name}: mail is only logged unless SMTP_URL is set`);
    }
    assert.ok(services['gatehouse-postgres']!.ports?.includes('3001:3000'));
    assert.equal(parseConfig({ PUBLIC_URL: interpolate(services['gatehouse-postgres']!.environment!.PUBLIC_URL!) }).publicUrl, 'http://localhost:3001');
  });
});

// --- Dockerfile --------------------------------------------------------------

interface Instruction {
  keyword: string;
  args: string;
}

/** Instructions with continuation lines joined and comments dropped. */
function parseDockerfile(source: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = '';
  for (const raw of source.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue;
    pending += `${line.replace(/\\$/, '').trim()} `;
    if (line.endsWith('\\')) continue;
    const [, keyword, args] = /^(\S+)\s*(.*)$/.exec(pending.trim())!;
    instructions.push({ keyword: keyword!.toUpperCase(), args: args!.trim() });
    pending = '';
  }
  return instructions;
}

/** Instructions grouped by stage, ARG defaults before the first FROM substituted into FROM. */
function stagesOf(instructions: Instruction[]): Array<{ image: string; name?: string; body: Instruction[] }> {
  const args = new Map<string, string>();
  const stages: Array<{ image: string; name?: string; body: Instruction[] }> = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'ARG' && stages.length === 0) {
      const [name, value] = instruction.args.split('=');
      args.set(name!, value ?? '');
    } else if (instruction.keyword === 'FROM') {
      const [image, as, name] = instruction.args.replace(/\$\{(\w+)\}/g, (_, n: string) => args.get(n) ?? '').split(/\s+/);
      stages.push({ image: image!, ...(as?.toUpperCase() === 'AS' && { name }), body: [] });
    } else {
      stages.at(-1)?.body.push(instruction);
    }
  }
  return stages;
}

/** .dockerignore semantics for the patterns used here: the last matching pattern decides; `!` re-includes. */
function ignored(path: string, patterns: string[]): boolean {
  const toRegex = (pattern: string) => {
    const escaped = pattern.replace(/\/$/, '').replace(/[.+^${}()|[\]\\]/g, '\\$&');
    const body = escaped.split('**').map((part) => part.replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')).join('.*');
    return new RegExp(`^${body}(/.*)?$`);
  };
  let result = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    if (toRegex(negated ? pattern.slice(1) : pattern).test(path)) result = !negated;
  }
  return result;
}

describe('Dockerfile and .dockerignore', () => {
  const instructions = parseDockerfile(read('Dockerfile'));
  const stages = stagesOf(instructions);
  const final = stages.at(-1)!;
  const dockerignore = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const of = (keyword: string, body = final.body) => body.filter((i) => i.keyword === keyword);

  it('is multi-stage on the official Node 24 image', () => {
    assert.ok(stages.length >= 2, `${stages.length} stage(s)`);
    for (const stage of stages) assert.match(stage.image, /^node:24([.-]|$)/, stage.image);
  });

  it('installs production dependencies only, with npm ci, for the final image', () => {
    const installs = stages.flatMap((s) => of('RUN', s.body)).filter((i) => /\bnpm (ci|install|i)\b/.test(i.args));
    assert.ok(installs.length > 0);
    for (const install of installs) assert.match(install.args, /npm ci --omit=dev\b/);
    const depsStage = stages.find((s) => of('RUN', s.body).some((i) => /npm ci --omit=dev/.test(i.args)));
    assert.ok(
      depsStage === final || of('COPY').some((i) => i.args.startsWith(`--from=${depsStage?.name} `) && /node_modules/.test(i.args)),
      'the final stage has the node_modules of the npm ci --omit=dev stage',
    );
    assert.doesNotMatch(of('RUN').map((i) => i.args).join('\n'), /apt-get install|g\+\+|npm (install|i)\b/, 'no compilers or dev installs in the final stage');
  });

  it('runs the sources with the image\'s node as a non-root user', () => {
    assert.deepEqual(JSON.parse(of('CMD').at(-1)!.args), ['node', 'src/main.ts']);
    const user = of('USER').at(-1)?.args;
    assert.ok(user, 'the final stage sets USER');
    assert.doesNotMatch(user, /^(root|0)(:|$)/);
    assert.ok(of('EXPOSE').some((i) => i.args.split(/\s+/).includes('3000')));
  });

  it('has a HEALTHCHECK on /health', () => {
    const healthcheck = of('HEALTHCHECK').at(-1)?.args ?? '';
    assert.match(healthcheck, /--interval=\S+/);
    assert.match(healthcheck, /--timeout=\S+/);
    const command = JSON.parse(healthcheck.replace(/^.*?CMD\s+/, '')) as string[];
    assert.equal(command[0], 'node');
    assert.match(command.join(' '), /\/health/);
  });

  it('copies only files that exist and that .dockerignore lets into the build context', () => {
    const copies = stages.flatMap((s) => of('COPY', s.body)).filter((i) => !i.args.startsWith('--from='));
    assert.ok(copies.length > 0);
    for (const copy of copies) {
      const parts = copy.args.split(/\s+/).filter((p) => !p.startsWith('--'));
      for (const source of parts.slice(0, -1)) {
        assert.ok(existsSync(join(REPO_ROOT, source)), `COPY ${source}: no such file`);
        assert.equal(ignored(source.replace(/\/$/, ''), dockerignore), false, `COPY ${source} is excluded by .dockerignore`);
      }
    }
    for (const needed of ['package.json', 'src/main.ts', 'src/storage/mongodb/mongo-store.ts', 'views/layout.eta']) {
      assert.equal(ignored(needed, dockerignore), false, `${needed} must reach the build context`);
    }
  });

  it('keeps secrets, data, dependencies and history out of the build context', () => {
    for (const path of ['.env', '.env.production', 'data/pglite/PG_VERSION', 'config/clients.json', 'node_modules/mongoose/package.json', '.git/HEAD', 'test-artifacts/x.png']) {
      assert.equal(ignored(path, dockerignore), true, `${path} would be sent to the builder`);
    }
  });

  describe('the healthcheck command', () => {
    let server: Server;
    let status = 200;
    let port = 0;
    const command = () => JSON.parse(of('HEALTHCHECK').at(-1)!.args.replace(/^.*?CMD\s+/, '')) as string[];
    const run = (env: Record<string, string>) =>
      new Promise<number | null>((resolve) => {
        // The image's `node`; here the project's Node 24.
        const child = spawn(NODE_BIN, command().slice(1), { env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'ignore' });
        child.once('close', resolve);
      });

    before(async () => {
      server = createServer((req, res) => {
        res.statusCode = req.url === '/health' ? status : 404;
        res.end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });

    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('exits 0 when /health answers 200 on $PORT, 1 when it does not or nothing listens', async function () {
      this.timeout(20_000);
      status = 200;
      assert.equal(await run({ PORT: String(port) }), 0);
      status = 503;
      assert.equal(await run({ PORT: String(port) }), 1);
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const freePort = (closed.address() as { port: number }).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      assert.equal(await run({ PORT: String(freePort) }), 1);
    });
  });
});
