// Route definitions of the JSON API, after logto's koaGuard: each route
// declares its params, query, body and responses as zod schemas. The router
// validates input with them, the response schemas strip anything not declared
// (a password hash can never leak through a handler returning a whole
// record), and the OpenAPI document is generated from the same definitions.
import type { Context } from 'koa';
import type { z } from 'zod';
import type { AppErrorClass } from '../../errors.ts';
import type { AdminAuth } from '../middleware/require-admin.ts';
import type { Auth } from '../middleware/require-bearer.ts';

export type Method = 'get' | 'post' | 'patch' | 'delete';

export interface ResponseSpec {
  description: string;
  /** Absent for empty responses (204, 202). */
  schema?: z.ZodType;
}

/**
 * An error a route can answer with besides the generic ones (API.md's
 * "notable failures"): its AppError class, with a description of its own
 * where the class's says less than this route means.
 */
export type ErrorDeclaration = AppErrorClass | { error: AppErrorClass; description: string };

/**
 * Who may call a route: anyone, a signed-in user (a bearer token of a live
 * session), or an account whose role grants the named permission. The
 * router runs one authenticator per level (router.ts).
 */
export type AuthLevel = 'none' | 'user' | `admin:${string}`;

export interface HandlerResult {
  status: number;
  body?: unknown;
}

interface Input<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  ctx: Context;
}

interface RouteBase<P, Q, B> {
  method: Method;
  /** Koa-router syntax (`/api/v1/me/sessions/:id`). */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  responses: Record<number, ResponseSpec>;
  errors?: readonly ErrorDeclaration[];
}

export interface PublicRoute<P = unknown, Q = unknown, B = unknown> extends RouteBase<P, Q, B> {
  auth: 'none';
  handle(input: Input<P, Q, B>): Promise<HandlerResult>;
}

export interface AuthedRoute<P = unknown, Q = unknown, B = unknown, A = Auth> extends RouteBase<P, Q, B> {
  auth: Exclude<AuthLevel, 'none'>;
  handle(input: Input<P, Q, B> & { auth: A }): Promise<HandlerResult>;
}

export type ApiRoute = PublicRoute<never, never, never> | AuthedRoute<never, never, never>;

/** Identity functions that only pin the generic types, so handlers see parsed input typed from the schemas. */
export function publicRoute<P = undefined, Q = undefined, B = undefined>(route: Omit<PublicRoute<P, Q, B>, 'auth'>): ApiRoute {
  return { ...route, auth: 'none' } as unknown as ApiRoute;
}

export function authedRoute<P = undefined, Q = undefined, B = undefined>(route: Omit<AuthedRoute<P, Q, B>, 'auth'>): ApiRoute {
  return { ...route, auth: 'user' } as unknown as ApiRoute;
}

/**
 * A route for accounts and clients whose role grants `permission`
 * (`users:read` for admin:users:read…; `*`: any admin:* permission).
 */
export function adminRoute<P = undefined, Q = undefined, B = undefined>(
  permission: string,
  route: Omit<AuthedRoute<P, Q, B, AdminAuth>, 'auth'>,
): ApiRoute {
  return { ...route, auth: `admin:${permission}` } as unknown as ApiRoute;
}
