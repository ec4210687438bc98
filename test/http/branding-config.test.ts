// The branding settings: PRODUCT_NAME, LOGO_URL, ACCENT_COLOR, MAIL_FROM,
// TEMPLATES_DIR, their defaults and the values refused at start.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, parseConfig } from '../../src/config.ts';
import { foreignLogoOrigin } from '../../src/services/branding.ts';

function refusal(env: Record<string, string>): string {
  try {
    parseConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    assert.doesNotMatch(err.message, /\n/);
    return err.message;
  }
  return assert.fail(`accepted ${JSON.stringify(env)}`);
}

describe('branding configuration', function () {
  let dir: string;
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'gatehouse-templates-')); });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('defaults to today\'s look: Gatehouse, no logo, the blue accent, no-reply@ the PUBLIC_URL host', function () {
    const config = parseConfig({ PUBLIC_URL: 'https://id.example.com' });
    assert.equal(config.branding.productName, 'Gatehouse');
    assert.equal(config.branding.logoUrl, undefined);
    assert.equal(config.branding.palette.light.accent, '#1f5fbf');
    assert.equal(config.branding.templatesDir, undefined);
    assert.equal(config.mailFrom, 'Gatehouse <no-reply@id.example.com>');
  });

  it('reads every branding variable', function () {
    const config = parseConfig({
      PUBLIC_URL: 'https://id.example.com', PRODUCT_NAME: '  Acme ID ', LOGO_URL: 'https://cdn.example.net/acme.svg',
      ACCENT_COLOR: '#0A7', MAIL_FROM: 'Acme <accounts@acme.example>', TEMPLATES_DIR: dir,
    });
    assert.equal(config.branding.productName, 'Acme ID');
    assert.equal(config.branding.logoUrl, 'https://cdn.example.net/acme.svg');
    assert.equal(config.branding.palette.configured, '#00aa77');
    assert.equal(config.branding.templatesDir, dir);
    assert.equal(config.mailFrom, 'Acme <accounts@acme.example>');
    assert.equal(foreignLogoOrigin(config.branding, config.publicUrl), 'https://cdn.example.net');
  });

  it('names the product in the default From header, quoted when it needs to be', function () {
    assert.equal(parseConfig({ PUBLIC_URL: 'https://id.example.com', PRODUCT_NAME: 'Acme ID' }).mailFrom, 'Acme ID <no-reply@id.example.com>');
    assert.equal(parseConfig({ PUBLIC_URL: 'https://id.example.com', PRODUCT_NAME: 'Acme, Inc. "ID"' }).mailFrom, '"Acme, Inc. \\"ID\\"" <no-reply@id.example.com>');
  });

  it('puts a LOGO_URL path under PUBLIC_URL (its base path too): same origin, nothing added to the CSP', function () {
    const config = parseConfig({ PUBLIC_URL: 'https://id.example.com', LOGO_URL: '/brand/logo.png' });
    assert.equal(config.branding.logoUrl, 'https://id.example.com/brand/logo.png');
    assert.equal(foreignLogoOrigin(config.branding, config.publicUrl), undefined);
    const based = parseConfig({ PUBLIC_URL: 'https://example.org/auth/', LOGO_URL: '/brand/logo.png' });
    assert.equal(based.branding.logoUrl, 'https://example.org/auth/brand/logo.png');
  });

  it('accepts an http logo on a loopback host outside production', function () {
    assert.equal(parseConfig({ LOGO_URL: 'http://127.0.0.1:8080/logo.svg' }).branding.logoUrl, 'http://127.0.0.1:8080/logo.svg');
  });

  const refused: Array<[string, Record<string, string>, RegExp]> = [
    ['an http logo elsewhere', { LOGO_URL: 'http://cdn.example.net/logo.svg' }, /LOGO_URL must be an https URL or a path/],
    ['a javascript: logo', { LOGO_URL: 'javascript:alert(1)' }, /LOGO_URL/],
    ['a data: logo', { LOGO_URL: 'data:image/svg+xml,<svg/>' }, /LOGO_URL/],
    ['a protocol-relative logo', { LOGO_URL: '//cdn.example.net/logo.svg' }, /LOGO_URL/],
    ['a relative logo path', { LOGO_URL: 'logo.svg' }, /LOGO_URL/],
    ['an http loopback logo in production', {
      NODE_ENV: 'production', SMTP_URL: 'smtp://mail:25', ENCRYPTION_KEY: 'k'.repeat(32), LOGO_URL: 'http://127.0.0.1/logo.svg',
    }, /LOGO_URL must be https/],
    ['a colour name', { ACCENT_COLOR: 'red' }, /ACCENT_COLOR must be a hex colour/],
    ['a colour with CSS after it', { ACCENT_COLOR: '#fff;} body {display:none' }, /ACCENT_COLOR/],
    ['a From without an address', { MAIL_FROM: 'Acme' }, /MAIL_FROM/],
    ['a From with a header injection', { MAIL_FROM: 'a@example.com\r\nBcc: all@example.com' }, /MAIL_FROM/],
    ['a product name with markup', { PRODUCT_NAME: '<b>Acme</b>' }, /PRODUCT_NAME/],
    ['a product name too long', { PRODUCT_NAME: 'x'.repeat(61) }, /PRODUCT_NAME must be at most 60/],
    ['a missing templates directory', { TEMPLATES_DIR: '/nonexistent/gatehouse-templates' }, /TEMPLATES_DIR .* does not exist/],
  ];
  for (const [what, env, message] of refused) {
    it(`refuses ${what}`, function () {
      assert.match(refusal(env), message);
    });
  }
});
