import type { Model } from 'mongoose';
import { EmailExistsError } from '../../errors.ts';
import type { Account, AccountPatch, AccountStore } from '../ports.ts';
import { isDuplicateKey, op, str } from './guards.ts';
import type { AccountDoc, OneTimeTokenDoc, SessionDoc } from './models.ts';

export function toAccount(doc: AccountDoc | null): Account | undefined {
  if (doc === null) return undefined;
  return {
    id: doc._id,
    email: doc.email,
    emailVerified: doc.emailVerified,
    name: doc.name ?? null,
    role: doc.role,
    passwordHash: doc.passwordHash,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

// Only these patch keys ever reach the update, whatever else the object holds.
const PATCH_KEYS = ['name', 'emailVerified', 'role', 'passwordHash'] as const satisfies ReadonlyArray<keyof AccountPatch>;

export function createMongoAccountStore(models: {
  accounts: Model<AccountDoc>;
  sessions: Model<SessionDoc>;
  oneTimeTokens: Model<OneTimeTokenDoc>;
}): AccountStore {
  const { accounts } = models;
  return {
    async insert(account) {
      const now = new Date();
      try {
        // The unique index on email, not a prior lookup, decides: of
        // concurrent inserts of one email the server lets one in and fails
        // the others with E11000.
        // create() runs the schema's validators (role in user/admin) first.
        const created = await accounts.create({
          _id: str(account.id, 'id'),
          email: str(account.email, 'email'),
          emailVerified: account.emailVerified,
          name: account.name,
          role: account.role,
          passwordHash: str(account.passwordHash, 'passwordHash'),
          createdAt: now,
          updatedAt: now,
        });
        return toAccount(created.toObject())!;
      } catch (err) {
        if (isDuplicateKey(err, 'email')) throw new EmailExistsError();
        // An E11000 naming no index (FerretDB): the index decided, and the
        // email's owner, read after the fact, tells which one it was.
        if (isDuplicateKey(err, 'email', true) && (await accounts.exists({ email: account.email, _id: op({ $ne: account.id }) }))) {
          throw new EmailExistsError();
        }
        throw err;
      }
    },

    async findById(id) {
      return toAccount(await accounts.findOne({ _id: str(id, 'id') }).lean<AccountDoc>());
    },

    async findByEmail(email) {
      return toAccount(await accounts.findOne({ email: str(email, 'email') }).lean<AccountDoc>());
    },

    async update(id, patch) {
      const set: Partial<AccountDoc> = { updatedAt: new Date() };
      for (const key of PATCH_KEYS) {
        if (patch[key] !== undefined) Object.assign(set, { [key]: patch[key] });
      }
      const doc = await accounts
        .findOneAndUpdate({ _id: str(id, 'id') }, { $set: set }, { returnDocument: 'after', runValidators: true })
        .lean<AccountDoc>();
      return toAccount(doc);
    },

    async delete(id) {
      const accountId = str(id, 'id');
      // No transaction: the account's sessions and tokens go first, then the
      // account. A failure part-way leaves the account in place, so the caller
      // can retry; it never leaves sessions alive for a deleted account.
      // (The SQL backend does this with on-delete-cascade foreign keys.)
      await models.sessions.deleteMany({ accountId });
      await models.oneTimeTokens.deleteMany({ accountId });
      const { deletedCount } = await accounts.deleteOne({ _id: accountId });
      return deletedCount > 0;
    },
  };
}
