// API.md "Outgoing requests": oidc-provider's requests (here a client's
// jwks_uri, fetched to check its private_key_jwt assertion) reach private
// addresses only under a loopback PUBLIC_URL or ALLOW_PRIVATE_NETWORK_TARGETS.
import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { assertPublicTarget, isNonGlobalAddress, privateTargetsAllowed } from '../../src/oidc/outgoing-requests.ts';
import { tokenRequest } from '../support/oauth-client.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('outgoing requests and private addresses', function () {
  describe('the rule', () => {
    it('classifies loopback, private, link-local and mapped addresses as non-global, public ones as global', () => {
      for (const address of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0',
        '::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1']) {
        assert.equal(isNonGlobalAddress(address), true, address);
      }
      for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111']) assert.equal(isNonGlobalAddress(address), false, address);
    });

    it('allows private targets under a loopback PUBLIC_URL or with the flag only', () => {
      assert.equal(privateTargetsAllowed('http://localhost:3000', false), true);
      assert.equal(privateTargetsAllowed('http://127.0.0.1:3000', false), true);
      assert.equal(privateTargetsAllowed('http://[::1]:3000', false), true);
      assert.equal(privateTargetsAllowed('https://id.example.com', false), false);
      assert.equal(privateTargetsAllowed('https://id.example.com', true), true);
    });

    it('resolves a host name and judges the addresses it resolves to', async () => {
      await assert.rejects(assertPublicTarget(new URL('http://localhost:9/x')), /resolves to .*private, loopback or link-local/);
      await assert.rejects(assertPublicTarget(new URL('http://[::1]:9/x')), /refused/);
      await assertPublicTarget(new URL('https://93.184.216.34/x'));
    });
  });

  describe('a client jwks_uri on 127.0.0.1 (private_key_jwt)', () => {
    let listener: Server;
    let fetched = 0;
    let client: Record<string, unknown>;
    let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

    before(async () => {
      const pair = await generateKeyPair('ES256');
      privateKey = pair.privateKey;
      const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] });
      listener = createServer((_req, res) => {
        fetched += 1;
        res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
      });
      await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
      client = {
        client_id: 'key-client',
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'ES256',
        jwks_uri: `http://127.0.0.1:${(listener.address() as AddressInfo).port}/jwks`,
        redirect_uris: [],
        response_types: [],
        grant_types: ['client_credentials'],
      };
    });
    after(() => new Promise<void>((resolve) => listener.close(() => resolve())));

    /** client_credentials authenticated by an assertion the server can check only with the keys at jwks_uri. */
    async function clientCredentials(server: TestServer) {
      const assertion = await new SignJWT({ jti: crypto.randomUUID() })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuer('key-client').setSubject('key-client').setAudience(server.issuer)
        .setIssuedAt().setExpirationTime('1m')
        .sign(privateKey);
      // Sent to the listening address; the assertion names the issuer PUBLIC_URL gives.
      return tokenRequest({ issuer: `${server.url}/oidc` }, { client_id: 'key-client' }, {
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      });
    }

    async function withServer(env: Record<string, string>, run: (server: TestServer) => Promise<void>) {
      const server = await startTestServer({ env, clients: [client] });
      try {
        await run(server);
      } finally {
        await server.close();
      }
    }

    it('is refused under a non-loopback PUBLIC_URL, and the listener never called', async () => {
      await withServer({ PUBLIC_URL: 'https://id.example.test' }, async (server) => {
        fetched = 0;
        const res = await clientCredentials(server);
        assert.equal(res.status, 401, JSON.stringify(res.body));
        assert.equal(res.body.error, 'invalid_client');
        assert.equal(fetched, 0);
      });
    });

    it('is fetched under a non-loopback PUBLIC_URL with ALLOW_PRIVATE_NETWORK_TARGETS=true', async () => {
      await withServer({ PUBLIC_URL: 'https://id.example.test', ALLOW_PRIVATE_NETWORK_TARGETS: 'true' }, async (server) => {
        fetched = 0;
        const res = await clientCredentials(server);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(fetched, 1);
      });
    });

    it('is fetched under a loopback PUBLIC_URL (development)', async () => {
      await withServer({}, async (server) => {
        fetched = 0;
        const res = await clientCredentials(server);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(fetched, 1);
      });
    });
  });
});
