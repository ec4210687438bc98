// `gatehouse roles …`: /api/v1/admin/roles (API.md, "Roles and permissions").
import { type CommandContext, type CommandGroup, list, str } from './command.ts';
import { UsageError } from './errors.ts';
import { fieldRows } from './output.ts';

interface Role {
  name: string;
  description?: string | null;
  permissions: string[];
}

const rolePath = (ctx: CommandContext) => `/api/v1/admin/roles/${encodeURIComponent(ctx.positionals[0]!)}`;
const showRole = (ctx: CommandContext, role: Role) =>
  ctx.out.result(role, () => fieldRows(role as unknown as Record<string, unknown>, ['name', 'description', 'permissions']));

/** The body fields given on the command line. */
function roleFields(ctx: CommandContext): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const description = str(ctx, 'description');
  if (description !== undefined) body.description = description;
  const permissions = list(ctx, 'permissions');
  if (permissions !== undefined) body.permissions = permissions;
  return body;
}

const FIELD_OPTIONS = { description: { type: 'string' as const }, permissions: { type: 'string' as const, multiple: true } };

export const rolesCommands: CommandGroup = {
  name: 'roles',
  summary: 'Roles and their permissions: list, create, update, delete',
  commands: [
    {
      name: 'list',
      usage: '',
      summary: 'Every role with its permissions',
      async run(ctx) {
        const body = (await (await ctx.api()).request('get', '/api/v1/admin/roles')) as { items: Role[] };
        ctx.out.result(body, () => [['NAME', 'PERMISSIONS', 'DESCRIPTION'], ...body.items.map((r) => [r.name, r.permissions, r.description])]);
      },
    },
    {
      name: 'create',
      usage: '<name> --permissions <p1,p2,…> [--description <text>]',
      summary: 'A new role',
      args: 1,
      options: FIELD_OPTIONS,
      async run(ctx) {
        const body = { name: ctx.positionals[0], permissions: [], ...roleFields(ctx) };
        showRole(ctx, (await (await ctx.api()).request('post', '/api/v1/admin/roles', { body })) as Role);
      },
    },
    {
      name: 'update',
      usage: '<name> [--permissions <p1,p2,…>] [--description <text>]',
      summary: 'Change a role (its permissions are replaced by the ones given)',
      args: 1,
      options: FIELD_OPTIONS,
      async run(ctx) {
        const body = roleFields(ctx);
        if (Object.keys(body).length === 0) throw new UsageError('nothing to change: give --permissions or --description');
        showRole(ctx, (await (await ctx.api()).request('patch', rolePath(ctx), { body })) as Role);
      },
    },
    {
      name: 'delete',
      usage: '<name>',
      summary: 'Delete a role no account or client has',
      args: 1,
      async run(ctx) {
        await (await ctx.api()).request('delete', rolePath(ctx));
        ctx.out.done({ deleted: ctx.positionals[0] }, `deleted role ${ctx.positionals[0]}`);
      },
    },
  ],
};
