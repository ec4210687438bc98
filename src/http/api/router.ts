// Mounts ApiRoute definitions on @koa/router: JSON body, bearer check,
// schema validation in, schema filtering out. Handlers stay one call long.
import { Router } from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { z } from 'zod';
import { InternalError, ValidationError, unstorableTextError, type ErrorDetail } from '../../errors.ts';
import { findUnstorableText } from '../../services/storable-text.ts';
import { jsonBody } from '../middleware/json-body.ts';
import type { AdminAuth, AuthenticateAdmin } from '../middleware/require-admin.ts';
import type { Auth, Authenticate } from '../middleware/require-bearer.ts';
import type { ApiRoute, AuthLevel } from './route.ts';

/** One authenticator per auth level above 'none'. */
export interface Authenticators {
  user: Authenticate;
  admin: AuthenticateAdmin;
}

function authenticatorOf(level: Exclude<AuthLevel, 'none'>, authenticators: Authenticators): (ctx: Context) => Promise<unknown> {
  return level === 'user' ? authenticators.user : authenticators.admin(level.slice('admin:'.length));
}

function detailsOf(error: z.ZodError): ErrorDetail[] {
  return error.issues.slice(0, 20).map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  // Bodies were checked by jsonBody; params and query come from the URL.
  const unstorable = findUnstorableText(value);
  if (unstorable) throw unstorableTextError(unstorable);
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(detailsOf(result.error), `The request ${where} did not match the schema.`);
  return result.data;
}

function respond(ctx: Context, route: ApiRoute, status: number, body: unknown): void {
  const spec = route.responses[status];
  if (!spec) throw new InternalError(new Error(`${route.operationId} answered an undeclared status ${status}`));
  ctx.status = status;
  // Declared shape only: unknown keys are stripped, a mismatch is our bug (500).
  if (spec.schema) ctx.body = spec.schema.parse(body);
}

export function createApiRouter(routes: readonly ApiRoute[], authenticators: Authenticators): Router {
  const router = new Router();
  for (const route of routes) {
    const middleware: Middleware[] = [];
    // The caller first: without a valid token, nothing about the body matters.
    if (route.auth !== 'none') {
      const authenticate = authenticatorOf(route.auth, authenticators);
      middleware.push(async function requireAuthLevel(ctx, next) {
        ctx.state.auth = await authenticate(ctx as Context);
        return next();
      });
    }
    if (route.body) middleware.push(jsonBody());
    router[route.method](route.path, ...middleware, async function handleApiRoute(ctx: Context) {
      const auth = ctx.state.auth as Auth | AdminAuth | undefined;
      const input = {
        params: parse(route.params, ctx.params, 'path'),
        query: parse(route.query, ctx.query, 'query'),
        body: parse(route.body, ctx.request.body, 'body'),
        ctx,
      };
      const result = route.auth === 'none' ? await route.handle(input) : await route.handle({ ...input, auth: auth as Auth });
      respond(ctx, route, result.status, result.body);
    });
  }
  return router;
}
