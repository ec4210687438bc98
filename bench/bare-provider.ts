// The client_credentials anchor: a bare oidc-provider in a process of its
// own, with what Gatehouse turns on around that grant (client_credentials,
// introspection, revocation, resource indicators with no default resource so
// the token stays opaque, the same token TTL) and nothing else: static
// clients, the default in-memory adapter, no Koa app around it.
// Run as `node bench/bare-provider.ts`; PORT and BENCH_CLIENT come from the
// environment; it prints "listening" once it serves.
import { errors, Provider } from 'oidc-provider';

const port = Number(process.env.PORT);
const client = JSON.parse(process.env.BENCH_CLIENT ?? '{}') as { client_id: string };

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [client],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => undefined as unknown as string,
      getResourceServerInfo: () => {
        throw new errors.InvalidTarget();
      },
      useGrantedResource: () => true,
    },
  },
  ttl: { ClientCredentials: 15 * 60 },
});

const server = provider.listen(port, '127.0.0.1', () => console.log('listening'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
