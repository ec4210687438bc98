// `gatehouse users …`: /api/v1/admin/users (API.md, "Administration API").
import { type CommandContext, type CommandGroup, bool, required, str } from './command.ts';
import { fieldRows } from './output.ts';
import { PAGING_OPTIONS, fetchPages, noteNextPage } from './paging.ts';
import { readPassword } from './secret-input.ts';

interface AdminUser {
  id: string;
  email: string;
  name: string | null;
  role: string;
  email_verified: boolean;
  disabled?: boolean;
  locked?: boolean;
  last_sign_in_at?: string | null;
  created_at: string;
}

const USER_FIELDS = ['id', 'email', 'name', 'role', 'permissions', 'email_verified', 'disabled', 'locked', 'mfa', 'last_sign_in_at', 'created_at', 'updated_at'];
const status = (u: AdminUser) => (u.disabled ? 'disabled' : u.locked ? 'locked' : 'active');
const userPath = (ctx: CommandContext) => `/api/v1/admin/users/${encodeURIComponent(ctx.positionals[0]!)}`;

async function showUser(ctx: CommandContext, user: AdminUser): Promise<void> {
  ctx.out.result(user, () => fieldRows(user as unknown as Record<string, unknown>, USER_FIELDS));
}

/** PATCH the user and show the answer. */
async function patchUser(ctx: CommandContext, body: Record<string, unknown>): Promise<void> {
  await showUser(ctx, (await (await ctx.api()).request('patch', userPath(ctx), { body })) as AdminUser);
}

export const usersCommands: CommandGroup = {
  name: 'users',
  summary: 'Accounts: list, show, create, update, disable, enable, delete, reset-password, unlock',
  commands: [
    {
      name: 'list',
      usage: '[--q <text>] [--role <role>] [--status active|disabled|locked] [--limit <n>] [--cursor <c>] [--all]',
      summary: 'Accounts, filtered by email or name, role, status',
      options: { q: { type: 'string' }, role: { type: 'string' }, status: { type: 'string' }, ...PAGING_OPTIONS },
      async run(ctx) {
        const page = await fetchPages<AdminUser>(ctx, '/api/v1/admin/users', { q: str(ctx, 'q'), role: str(ctx, 'role'), status: str(ctx, 'status') });
        ctx.out.result(page, () => [
          ['ID', 'EMAIL', 'NAME', 'ROLE', 'STATUS', 'CREATED'],
          ...page.items.map((u) => [u.id, u.email, u.name, u.role, status(u), u.created_at]),
        ]);
        noteNextPage(ctx, page);
      },
    },
    {
      name: 'show',
      usage: '<id>',
      summary: 'One account',
      args: 1,
      async run(ctx) {
        await showUser(ctx, (await (await ctx.api()).request('get', userPath(ctx))) as AdminUser);
      },
    },
    {
      name: 'create',
      usage: '--email <address> [--name <name>] [--role <role>] [--verified true|false] [--password-stdin]',
      summary: 'Create an account; without --password-stdin an invitation mail is sent',
      options: { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, verified: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
      async run(ctx) {
        const body: Record<string, unknown> = { email: required(ctx, 'email') };
        for (const field of ['name', 'role'] as const) if (str(ctx, field) !== undefined) body[field] = str(ctx, field);
        const verified = bool(ctx, 'verified');
        if (verified !== undefined) body.email_verified = verified;
        if (ctx.values['password-stdin'] === true) body.password = await readPassword({ fromStdin: true }, ctx.stdin);
        const user = (await (await ctx.api()).request('post', '/api/v1/admin/users', { body })) as AdminUser;
        await showUser(ctx, user);
      },
    },
    {
      name: 'update',
      usage: '<id> [--name <name>] [--role <role>] [--verified true|false]',
      summary: 'Change name, role or verification',
      args: 1,
      options: { name: { type: 'string' }, role: { type: 'string' }, verified: { type: 'string' } },
      async run(ctx) {
        const body: Record<string, unknown> = {};
        for (const field of ['name', 'role'] as const) if (str(ctx, field) !== undefined) body[field] = str(ctx, field);
        const verified = bool(ctx, 'verified');
        if (verified !== undefined) body.email_verified = verified;
        await patchUser(ctx, body);
      },
    },
    {
      name: 'disable',
      usage: '<id>',
      summary: 'Disable the account; its sessions and grants end at once',
      args: 1,
      run: (ctx) => patchUser(ctx, { disabled: true }),
    },
    {
      name: 'enable',
      usage: '<id>',
      summary: 'Enable a disabled account',
      args: 1,
      run: (ctx) => patchUser(ctx, { disabled: false }),
    },
    {
      name: 'delete',
      usage: '<id>',
      summary: 'Delete the account with its sessions, grants and tokens',
      args: 1,
      async run(ctx) {
        await (await ctx.api()).request('delete', userPath(ctx));
        ctx.out.done({ deleted: ctx.positionals[0] }, `deleted ${ctx.positionals[0]}`);
      },
    },
    {
      name: 'reset-password',
      usage: '<id>',
      summary: 'Mail the account a password-reset link',
      args: 1,
      async run(ctx) {
        await (await ctx.api()).request('post', `${userPath(ctx)}/password-reset`);
        ctx.out.done({ reset_mail_sent: ctx.positionals[0] }, `reset mail sent to ${ctx.positionals[0]}`);
      },
    },
    {
      name: 'unlock',
      usage: '<id>',
      summary: 'Lift the sign-in locks of the account',
      args: 1,
      async run(ctx) {
        await (await ctx.api()).request('post', `${userPath(ctx)}/unlock`);
        ctx.out.done({ unlocked: ctx.positionals[0] }, `unlocked ${ctx.positionals[0]}`);
      },
    },
  ],
};
