// rate-limiter-flexible's MongoDB limiter on the store's own connection, so
// counts live in the database every worker shares. Every rule shares one
// collection; the library prefixes each key with the rule's keyPrefix.
import type { Connection } from 'mongoose';
import { RateLimiterMongo, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimitRule } from '../ports.ts';
import { RATE_LIMIT_COLLECTION } from './models.ts';

export function createMongoRateLimiter(connection: Connection, rule: RateLimitRule): RateLimiterAbstract {
  return new RateLimiterMongo({
    // A mongoose Connection has no db() function, so the library calls
    // connection.collection(tableName): the collection in the store's database.
    storeClient: connection,
    tableName: RATE_LIMIT_COLLECTION,
    // Its indexes (TTL on expire, unique key) are declared in models.ts and
    // built at open with the others: never from a request.
    disableIndexesCreation: true,
    keyPrefix: rule.keyPrefix,
    points: rule.points,
    duration: rule.durationSeconds,
    blockDuration: rule.blockDurationSeconds ?? 0,
  });
}
