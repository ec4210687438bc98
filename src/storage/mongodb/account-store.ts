import type { Model } from 'mongoose';
import { EmailExistsError, LastAdminError, RoleNotFoundError } from '../../errors.ts';
import type { Account, AccountPatch, AccountStore } from '../ports.ts';
import { isDuplicateKey, op, str } from './guards.ts';
import type { AccountDoc, FactorDoc, OneTimeTokenDoc, PendingSignInDoc, RecoveryCodesDoc, RoleDoc, SessionDoc } from './models.ts';

export function toAccount(doc: AccountDoc | null): Account | undefined {
  if (doc === null) return undefined;
  return {
    id: doc._id,
    email: doc.email,
    emailVerified: doc.emailVerified,
    name: doc.name ?? null,
    picture: doc.picture ?? null,
    role: doc.role,
    passwordHash: doc.passwordHash,
    disabled: doc.disabled ?? false,
    lastSignInAt: doc.lastSignInAt ?? null,
    lockedUntil: doc.lockedUntil ?? null,
    lockGeneration: doc.lockGeneration ?? 0,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

// Only these patch keys ever reach the update, whatever else the object holds.
const PATCH_KEYS = ['name', 'picture', 'emailVerified', 'role', 'passwordHash', 'disabled'] as const satisfies ReadonlyArray<keyof AccountPatch>;

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Enabled: `disabled` false or absent (documents from before the field). */
const ENABLED_ADMIN = { role: 'admin', disabled: op({ $ne: true }) };

export function createMongoAccountStore(models: {
  accounts: Model<AccountDoc>;
  roles: Model<RoleDoc>;
  sessions: Model<SessionDoc>;
  oneTimeTokens: Model<OneTimeTokenDoc>;
  factors: Model<FactorDoc>;
  recoveryCodes: Model<RecoveryCodesDoc>;
  pendingSignIns: Model<PendingSignInDoc>;
}): AccountStore {
  const { accounts } = models;

  // No foreign key here: the role is looked up first. A role deleted in
  // between leaves an account on an unknown role, which grants nothing.
  async function assertRole(role: string | undefined): Promise<void> {
    if (role !== undefined && !(await models.roles.exists({ _id: str(role, 'role') }))) throw new RoleNotFoundError();
  }

  /**
   * LAST_ADMIN without a multi-document transaction: write first, then count
   * the enabled admins left, and undo the write when none is. Two admins
   * demoting each other at once both see zero and both undo (neither
   * succeeds), or one sees the other still there and only the later one
   * undoes; never both succeed. (On FerretDB writes are serialised anyway.)
   */
  async function guardLastAdmin(before: AccountDoc, undo: () => Promise<unknown>): Promise<void> {
    const wasEnabledAdmin = before.role === 'admin' && before.disabled !== true;
    if (!wasEnabledAdmin) return;
    if ((await accounts.countDocuments(ENABLED_ADMIN)) > 0) return;
    await undo();
    throw new LastAdminError();
  }

  return {
    async insert(account) {
      const now = new Date();
      await assertRole(account.role);
      try {
        // The unique index on email, not a prior lookup, decides: of
        // concurrent inserts of one email the server lets one in and fails
        // the others with E11000.
        const created = await accounts.create({
          _id: str(account.id, 'id'),
          email: str(account.email, 'email'),
          emailVerified: account.emailVerified,
          name: account.name,
          picture: null,
          role: account.role,
          passwordHash: str(account.passwordHash, 'passwordHash'),
          disabled: account.disabled ?? false,
          lastSignInAt: null,
          lockedUntil: null,
          lockGeneration: 0,
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

    async list(query) {
      const and: Record<string, unknown>[] = [];
      if (query.q !== undefined && query.q !== '') {
        const pattern = op({ $regex: escapeRegex(str(query.q, 'q')), $options: 'i' });
        and.push({ $or: [{ email: pattern }, { name: pattern }] });
      }
      if (query.role !== undefined) and.push({ role: str(query.role, 'role') });
      if (query.status === 'disabled') and.push({ disabled: true });
      if (query.status === 'locked') and.push({ lockedUntil: op({ $gt: query.now }) });
      if (query.status === 'active') {
        and.push({ disabled: op({ $ne: true }) }, { $or: [{ lockedUntil: null }, { lockedUntil: op({ $lte: query.now }) }] });
      }
      if (query.after) {
        const { createdAt, id } = query.after;
        and.push({ $or: [{ createdAt: op({ $lt: createdAt }) }, { createdAt, _id: op({ $lt: str(id, 'cursor') }) }] });
      }
      const docs = await accounts
        .find(and.length ? { $and: and } : {})
        .sort({ createdAt: -1, _id: -1 })
        .limit(query.limit)
        .lean<AccountDoc[]>();
      return docs.map((doc) => toAccount(doc)!);
    },

    async update(id, patch, options = {}) {
      await assertRole(patch.role);
      const set: Partial<AccountDoc> = { updatedAt: new Date() };
      for (const key of PATCH_KEYS) {
        if (patch[key] !== undefined) Object.assign(set, { [key]: patch[key] });
      }
      const accountId = str(id, 'id');
      const before = await accounts
        .findOneAndUpdate({ _id: accountId }, { $set: set }, { returnDocument: 'before', runValidators: true })
        .lean<AccountDoc>();
      if (before === null) return undefined;
      const removesAdmin = (patch.role !== undefined && patch.role !== 'admin') || patch.disabled === true;
      if (options.keepAnAdmin && removesAdmin) {
        await guardLastAdmin(before, () =>
          accounts.updateOne({ _id: accountId }, { $set: { role: before.role, disabled: before.disabled ?? false } }));
      }
      return toAccount(await accounts.findOne({ _id: accountId }).lean<AccountDoc>());
    },

    async recordSignIn(id, at) {
      await accounts.updateOne({ _id: str(id, 'id') }, { $set: { lastSignInAt: at } });
    },

    async markLocked(id, lockGeneration, until) {
      const accountId = str(id, 'id');
      // Documents from before the field have generation 0 by default.
      const generation = lockGeneration === 0 ? op({ $in: [0, null] }) : lockGeneration;
      await accounts.updateOne({ _id: accountId, lockGeneration: generation }, { $max: { lockedUntil: until } });
    },

    async unlock(id) {
      const doc = await accounts
        .findOneAndUpdate(
          { _id: str(id, 'id') },
          { $inc: { lockGeneration: 1 }, $set: { lockedUntil: null } },
          { returnDocument: 'after' },
        )
        .lean<AccountDoc>();
      return toAccount(doc);
    },

    async delete(id, options = {}) {
      const accountId = str(id, 'id');
      if (options.keepAnAdmin) {
        // Disabled first under the guard, so that the check and the delete
        // see the same state; a refusal re-enables it.
        const before = await accounts
          .findOneAndUpdate({ _id: accountId }, { $set: { disabled: true } }, { returnDocument: 'before' })
          .lean<AccountDoc>();
        if (before === null) return false;
        await guardLastAdmin(before, () => accounts.updateOne({ _id: accountId }, { $set: { disabled: before.disabled ?? false } }));
      }
      // No transaction: the account's sessions, tokens and factors go first, then the
      // account. A failure part-way leaves the account in place, so the caller
      // can retry; it never leaves sessions alive for a deleted account.
      // (The SQL backend does this with on-delete-cascade foreign keys.)
      await models.sessions.deleteMany({ accountId });
      await models.oneTimeTokens.deleteMany({ accountId });
      await models.pendingSignIns.deleteMany({ accountId });
      await models.recoveryCodes.deleteOne({ _id: accountId });
      await models.factors.deleteMany({ accountId });
      const { deletedCount } = await accounts.deleteOne({ _id: accountId });
      return deletedCount > 0;
    },
  };
}
