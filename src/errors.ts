// The one error type of Gatehouse. Services and stores throw AppError
// subclasses; src/http/middleware/error-handler.ts is the only place that turns
// them into the JSON envelope of API.md. oidc-provider's own errors never pass
// through here: they keep their RFC 6749 bodies.
//
// Each subclass carries its API.md code and HTTP status as static members, so
// a route can declare the errors it answers with by class (src/http/api/route.ts)
// and the OpenAPI document lists them from the same source.
//
// One file per domain under errors/; import them all from here.
export * from './errors/base.ts';
export * from './errors/accounts.ts';
export * from './errors/admin.ts';
export * from './errors/mfa.ts';
export * from './errors/organizations.ts';
