// parseConfig: API.md's defaults, and one ConfigError naming the variable for
// each value the server must refuse at start.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DEFAULT_CLIENTS_FILE, parseConfig } from '../../src/config.ts';

/** The ConfigError parseConfig throws for this environment (fails if it returns). */
function configErrorOf(env: Record<string, string>): ConfigError {
  try {
    parseConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err;
  }
  return assert.fail(`parseConfig accepted ${JSON.stringify(env)}`);
}

describe('parseConfig', function () {
  describe('defaults', function () {
    const config = parseConfig({});

    it('listens on port 3000', function () {
      assert.equal(config.port, 3000);
    });

    it('uses http://localhost:$PORT as PUBLIC_URL and PUBLIC_URL/oidc as issuer', function () {
      assert.equal(config.publicUrl, 'http://localhost:3000');
      assert.equal(config.issuer, 'http://localhost:3000/oidc');
      assert.equal(config.apiAudience, 'http://localhost:3000/api');
    });

    it('derives the default PUBLIC_URL from a non-default PORT', function () {
      const other = parseConfig({ PORT: '8080' });
      assert.equal(other.publicUrl, 'http://localhost:8080');
      assert.equal(other.issuer, 'http://localhost:8080/oidc');
    });

    it('requires email verification, embeds the database under ./data and logs at info', function () {
      assert.equal(config.requireEmailVerification, true);
      assert.equal(config.databaseUrl, undefined);
      assert.equal(config.dataDir, './data');
      assert.equal(config.logLevel, 'info');
      assert.equal(config.admin, undefined);
      assert.equal(config.smtpUrl, undefined);
      assert.equal(config.env, 'development');
    });

    it('uses the OWASP minimum argon2id cost', function () {
      assert.deepEqual(config.argon2, { memoryCost: 19456, timeCost: 2, parallelism: 1 });
    });

    it('reads CLIENTS_FILE from config/clients.json only when that file exists', async function () {
      const cwd = process.cwd();
      const dir = await mkdtemp(join(tmpdir(), 'gatehouse-config-'));
      try {
        process.chdir(dir);
        assert.equal(parseConfig({}).clientsFile, undefined);
        await mkdir(join(dir, 'config'));
        await writeFile(join(dir, DEFAULT_CLIENTS_FILE), '[]');
        assert.equal(parseConfig({}).clientsFile, DEFAULT_CLIENTS_FILE);
        assert.equal(parseConfig({ CLIENTS_FILE: '/etc/gatehouse/clients.json' }).clientsFile, '/etc/gatehouse/clients.json');
      } finally {
        process.chdir(cwd);
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('treats empty strings as unset (docker-compose and .env produce them)', function () {
      const blank = parseConfig({ PORT: '', PUBLIC_URL: '', DATABASE_URL: '', REQUIRE_EMAIL_VERIFICATION: '' });
      assert.equal(blank.port, 3000);
      assert.equal(blank.publicUrl, 'http://localhost:3000');
      assert.equal(blank.databaseUrl, undefined);
      assert.equal(blank.requireEmailVerification, true);
    });
  });

  describe('explicit values', function () {
    it('drops trailing slashes from PUBLIC_URL before deriving the issuer', function () {
      const config = parseConfig({ PUBLIC_URL: 'https://id.example.com/' });
      assert.equal(config.publicUrl, 'https://id.example.com');
      assert.equal(config.issuer, 'https://id.example.com/oidc');
    });

    it('reads REQUIRE_EMAIL_VERIFICATION=false', function () {
      assert.equal(parseConfig({ REQUIRE_EMAIL_VERIFICATION: 'false' }).requireEmailVerification, false);
    });

    it('pairs ADMIN_EMAIL with ADMIN_PASSWORD', function () {
      const config = parseConfig({ ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'a long admin password' });
      assert.deepEqual(config.admin, { email: 'root@example.com', password: 'a long admin password' });
    });

    it('accepts production with SMTP_URL', function () {
      const config = parseConfig({ NODE_ENV: 'production', SMTP_URL: 'smtp://u:p@mail.example.com:587', ENCRYPTION_KEY: 'k'.repeat(32) });
      assert.equal(config.env, 'production');
      assert.equal(config.smtpUrl, 'smtp://u:p@mail.example.com:587');
    });

    it('reuses a found client for 30 s by default; CLIENT_CACHE_SECONDS=0 turns that off', function () {
      assert.equal(parseConfig({}).clientCacheMs, 30_000);
      assert.equal(parseConfig({ CLIENT_CACHE_SECONDS: '0' }).clientCacheMs, 0);
      assert.equal(parseConfig({ CLIENT_CACHE_SECONDS: '5' }).clientCacheMs, 5_000);
    });

    it('serves no metrics by default; METRICS_PORT on loopback unless METRICS_HOST says otherwise', function () {
      assert.equal(parseConfig({}).metrics, undefined);
      assert.deepEqual(parseConfig({ METRICS_PORT: '9464' }).metrics, { port: 9464, host: '127.0.0.1' });
      assert.deepEqual(parseConfig({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' }).metrics, { port: 9464, host: '0.0.0.0' });
    });

    it('re-reads the keys every 30 s by default; reads KEYS_REFRESH_SECONDS', function () {
      assert.equal(parseConfig({}).keysRefreshMs, 30_000);
      assert.equal(parseConfig({ KEYS_REFRESH_SECONDS: '1' }).keysRefreshMs, 1_000);
    });

    it('trusts no proxy and wants 8-character passwords by default; reads TRUST_PROXY_HOPS and PASSWORD_MIN_LENGTH', function () {
      assert.equal(parseConfig({}).trustProxyHops, 0);
      assert.equal(parseConfig({}).passwordMinLength, 8);
      assert.equal(parseConfig({ TRUST_PROXY_HOPS: '2' }).trustProxyHops, 2);
      assert.equal(parseConfig({ PASSWORD_MIN_LENGTH: '15' }).passwordMinLength, 15);
    });

    it('accepts production with an https PUBLIC_URL, or http on loopback', function () {
      const production = { NODE_ENV: 'production', SMTP_URL: 'smtp://m:25', ENCRYPTION_KEY: randomBytes(32).toString('base64url') };
      assert.equal(parseConfig({ ...production, PUBLIC_URL: 'https://id.example.com' }).publicUrl, 'https://id.example.com');
      assert.equal(parseConfig({ ...production, PUBLIC_URL: 'http://127.0.0.1:3000' }).publicUrl, 'http://127.0.0.1:3000');
      assert.equal(parseConfig({ ...production, PUBLIC_URL: 'http://localhost:3000' }).publicUrl, 'http://localhost:3000');
    });

    it('accepts postgres:// and mongodb:// database URLs', function () {
      assert.equal(parseConfig({ DATABASE_URL: 'postgres://u@h/db' }).databaseUrl, 'postgres://u@h/db');
      assert.equal(parseConfig({ DATABASE_URL: 'mongodb://h/db' }).databaseUrl, 'mongodb://h/db');
    });
  });

  describe('refuses', function () {
    const cases: Array<{ name: string; env: Record<string, string>; names: string[] }> = [
      { name: 'PORT=abc', env: { PORT: 'abc' }, names: ['PORT'] },
      { name: 'PORT=70000', env: { PORT: '70000' }, names: ['PORT'] },
      { name: 'PUBLIC_URL=ftp://x', env: { PUBLIC_URL: 'ftp://x' }, names: ['PUBLIC_URL'] },
      { name: 'PUBLIC_URL that is not a URL', env: { PUBLIC_URL: 'not a url' }, names: ['PUBLIC_URL'] },
      { name: 'DATABASE_URL=mysql://x', env: { DATABASE_URL: 'mysql://x' }, names: ['DATABASE_URL'] },
      { name: 'ADMIN_EMAIL without ADMIN_PASSWORD', env: { ADMIN_EMAIL: 'root@example.com' }, names: ['ADMIN_EMAIL', 'ADMIN_PASSWORD'] },
      { name: 'ADMIN_PASSWORD without ADMIN_EMAIL', env: { ADMIN_PASSWORD: 'a long admin password' }, names: ['ADMIN_EMAIL', 'ADMIN_PASSWORD'] },
      { name: 'ADMIN_EMAIL that is not an email', env: { ADMIN_EMAIL: 'root', ADMIN_PASSWORD: 'a long admin password' }, names: ['ADMIN_EMAIL'] },
      { name: 'NODE_ENV=production without SMTP_URL', env: { NODE_ENV: 'production' }, names: ['SMTP_URL'] },
      { name: 'SMTP_URL=http://x', env: { SMTP_URL: 'http://x' }, names: ['SMTP_URL'] },
      { name: 'NODE_ENV=production without ENCRYPTION_KEY', env: { NODE_ENV: 'production', SMTP_URL: 'smtp://u:p@mail.example.com:587' }, names: ['ENCRYPTION_KEY'] },
      { name: 'ENCRYPTION_KEY shorter than 32 characters', env: { ENCRYPTION_KEY: 'short' }, names: ['ENCRYPTION_KEY'] },
      { name: 'ARGON2_MEMORY_KIB below 19456', env: { ARGON2_MEMORY_KIB: '19455' }, names: ['ARGON2_MEMORY_KIB'] },
      { name: 'ARGON2_TIME_COST below 2', env: { ARGON2_TIME_COST: '1' }, names: ['ARGON2_TIME_COST'] },
      { name: 'REQUIRE_EMAIL_VERIFICATION=maybe', env: { REQUIRE_EMAIL_VERIFICATION: 'maybe' }, names: ['REQUIRE_EMAIL_VERIFICATION'] },
      { name: 'LOG_LEVEL=loud', env: { LOG_LEVEL: 'loud' }, names: ['LOG_LEVEL'] },
      { name: 'METRICS_PORT=abc', env: { METRICS_PORT: 'abc' }, names: ['METRICS_PORT'] },
      { name: 'METRICS_PORT=70000', env: { METRICS_PORT: '70000' }, names: ['METRICS_PORT'] },
      { name: 'METRICS_PORT equal to PORT', env: { PORT: '4000', METRICS_PORT: '4000' }, names: ['METRICS_PORT', 'PORT'] },
      { name: 'CLIENT_CACHE_SECONDS=-1', env: { CLIENT_CACHE_SECONDS: '-1' }, names: ['CLIENT_CACHE_SECONDS'] },
      { name: 'KEYS_REFRESH_SECONDS=0', env: { KEYS_REFRESH_SECONDS: '0' }, names: ['KEYS_REFRESH_SECONDS'] },
      { name: 'KEYS_REFRESH_SECONDS=61', env: { KEYS_REFRESH_SECONDS: '61' }, names: ['KEYS_REFRESH_SECONDS'] },
      { name: 'CLIENT_CACHE_SECONDS=3601', env: { CLIENT_CACHE_SECONDS: '3601' }, names: ['CLIENT_CACHE_SECONDS'] },
      { name: 'a leftover TRUST_PROXY', env: { TRUST_PROXY: 'true' }, names: ['TRUST_PROXY_HOPS'] },
      { name: 'TRUST_PROXY_HOPS=-1', env: { TRUST_PROXY_HOPS: '-1' }, names: ['TRUST_PROXY_HOPS'] },
      { name: 'PASSWORD_MIN_LENGTH=6', env: { PASSWORD_MIN_LENGTH: '6' }, names: ['PASSWORD_MIN_LENGTH'] },
      { name: 'an http PUBLIC_URL when NODE_ENV=production', env: { NODE_ENV: 'production', SMTP_URL: 'smtp://m:25', PUBLIC_URL: 'http://id.example.com' }, names: ['PUBLIC_URL', 'https'] },
      { name: 'an ADMIN_PASSWORD the password policy refuses', env: { ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'Summer2025' }, names: ['ADMIN_PASSWORD', 'common word'] },
      { name: 'an ADMIN_PASSWORD shorter than PASSWORD_MIN_LENGTH', env: { ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'quixotic-lamp', PASSWORD_MIN_LENGTH: '15' }, names: ['ADMIN_PASSWORD', '15'] },
    ];

    for (const { name, env, names } of cases) {
      it(`${name}, with a one-line ConfigError naming ${names.join(' and ')}`, function () {
        const err = configErrorOf(env);
        for (const variable of names) assert.ok(err.message.includes(variable), `"${err.message}" does not name ${variable}`);
        assert.ok(!err.message.includes('\n'), `"${err.message}" spans several lines`);
      });
    }

    it('without echoing a DATABASE_URL password', function () {
      const err = configErrorOf({ DATABASE_URL: 'mysql://user:s3cr3t-pw@db/x' });
      assert.ok(!err.message.includes('s3cr3t-pw'), err.message);
    });
  });

  it('returns a frozen config', function () {
    const config = parseConfig({});
    assert.ok(Object.isFrozen(config));
    assert.throws(() => {
      (config as { port: number }).port = 1;
    }, TypeError);
    assert.equal(config.port, 3000);
  });
});
