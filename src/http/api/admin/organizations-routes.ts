// /api/v1/admin/organizations: every organization, for administrators (API.md).
import { z } from 'zod';
import type { OrganizationService } from '../../../services/organizations.ts';
import { organizationSchema, toOrganization } from '../organization-schemas.ts';
import { adminRoute, type ApiRoute } from '../route.ts';
import { decodeCursor, pageOf, pageQuery, pageSchema } from './paging.ts';

const position = z.object({ c: z.iso.datetime(), i: z.string().max(128) });

export function adminOrganizationRoutes(deps: { organizations: Pick<OrganizationService, 'adminList'> }): ApiRoute[] {
  return [
    adminRoute<undefined, { q?: string; limit: number; cursor?: string }>('organizations:read', {
      method: 'get', path: '/api/v1/admin/organizations', tag: 'admin', operationId: 'adminListOrganizations',
      summary: 'Organizations, newest first',
      query: z.object({ q: z.string().max(256).optional().describe('Name contains this (case-insensitive)'), ...pageQuery }),
      responses: { 200: { description: 'A page of organizations', schema: pageSchema(organizationSchema) } },
      async handle({ query }) {
        const after = decodeCursor(query.cursor, position);
        const found = await deps.organizations.adminList({
          q: query.q, limit: query.limit + 1, after: after && { createdAt: new Date(after.c), id: after.i },
        });
        const page = pageOf(found, query.limit, (o) => ({ c: o.createdAt.toISOString(), i: o.id }), toOrganization);
        return { status: 200, body: page };
      },
    }),
  ];
}
