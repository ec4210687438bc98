// `gatehouse keys list|rotate|retire <kid>`: /api/v1/admin/keys.
import type { CommandGroup } from './command.ts';

interface KeyItem {
  kid: string;
  alg: string;
  use: string;
  status: string;
  created_at: string;
}

const table = (items: KeyItem[]) => [['KID', 'ALG', 'USE', 'STATUS', 'CREATED'], ...items.map((k) => [k.kid, k.alg, k.use, k.status, k.created_at])];

export const keysCommands: CommandGroup = {
  name: 'keys',
  summary: 'Signing keys: list, rotate, retire',
  commands: [
    {
      name: 'list',
      usage: '',
      summary: 'The signing keys; `active` ones sign, `previous` ones still verify',
      async run(ctx) {
        const body = (await (await ctx.api()).request('get', '/api/v1/admin/keys')) as { items: KeyItem[] };
        ctx.out.result(body, () => table(body.items));
      },
    },
    {
      name: 'rotate',
      usage: '',
      summary: 'New signing keys (and cookie key); every instance signs with them within KEYS_REFRESH_SECONDS',
      async run(ctx) {
        const body = (await (await ctx.api()).request('post', '/api/v1/admin/keys/rotate')) as { items: KeyItem[] };
        ctx.out.result(body, () => table(body.items));
      },
    },
    {
      name: 'retire',
      usage: '<kid>',
      summary: 'Delete a previous key: tokens it signed stop verifying',
      args: 1,
      async run(ctx) {
        const kid = ctx.positionals[0]!;
        await (await ctx.api()).request('delete', `/api/v1/admin/keys/${encodeURIComponent(kid)}`);
        ctx.out.done({ retired: kid }, `retired ${kid}`);
      },
    },
  ],
};
