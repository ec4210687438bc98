// Roles on MongoDB; same semantics as src/storage/sql/role-store.ts, except
// that ROLE_IN_USE is a count before the delete (no foreign keys here): an
// account given the role in between keeps a role that grants nothing.
import type { Model } from 'mongoose';
import { RoleExistsError, RoleInUseError } from '../../errors.ts';
import { BUILT_IN_ROLES, type RoleRecord, type RoleStore } from '../ports.ts';
import { isDuplicateKey, str } from './guards.ts';
import type { AccountDoc, ClientDoc, RoleDoc } from './models.ts';

const toRole = (doc: RoleDoc): RoleRecord => ({ name: doc._id, description: doc.description ?? '', permissions: [...(doc.permissions ?? [])] });

/** Insert the built-in roles unless present (the SQL backend's migration 004 does the same). */
export async function ensureBuiltInRoles(roles: Model<RoleDoc>): Promise<void> {
  const now = new Date();
  for (const role of BUILT_IN_ROLES) {
    await roles.updateOne(
      { _id: role.name },
      { $setOnInsert: { description: role.description, permissions: role.permissions, createdAt: now, updatedAt: now } },
      { upsert: true },
    ).catch((err: unknown) => {
      // Two processes opening at once: the other one inserted it.
      if (!isDuplicateKey(err, '_id', true)) throw err;
    });
  }
}

export function createMongoRoleStore(models: { roles: Model<RoleDoc>; accounts: Model<AccountDoc>; clients: Model<ClientDoc> }): RoleStore {
  const { roles } = models;
  async function countHolders(name: string) {
    const role = str(name, 'name');
    const [accounts, clients] = await Promise.all([
      models.accounts.countDocuments({ role }),
      models.clients.countDocuments({ 'metadata.role': role }),
    ]);
    return { accounts, clients };
  }

  return {
    async find(name) {
      const doc = await roles.findOne({ _id: str(name, 'name') }).lean<RoleDoc>();
      return doc === null ? undefined : toRole(doc);
    },

    async list() {
      // Code-unit order without a collation, as the SQL backend's collate "C".
      return (await roles.find({}).sort({ _id: 1 }).lean<RoleDoc[]>()).map(toRole);
    },

    async insert(role) {
      const now = new Date();
      try {
        const created = await roles.create({
          _id: str(role.name, 'name'), description: role.description, permissions: role.permissions, createdAt: now, updatedAt: now,
        });
        return toRole(created.toObject());
      } catch (err) {
        if (isDuplicateKey(err, '_id', true)) throw new RoleExistsError();
        throw err;
      }
    },

    async update(name, patch) {
      const set: Partial<RoleDoc> = { updatedAt: new Date() };
      if (patch.description !== undefined) set.description = patch.description;
      if (patch.permissions !== undefined) set.permissions = [...patch.permissions];
      const doc = await roles.findOneAndUpdate({ _id: str(name, 'name') }, { $set: set }, { returnDocument: 'after' }).lean<RoleDoc>();
      return doc === null ? undefined : toRole(doc);
    },

    async delete(name) {
      const holders = await countHolders(name);
      if (holders.accounts > 0 || holders.clients > 0) throw new RoleInUseError();
      const { deletedCount } = await roles.deleteOne({ _id: str(name, 'name') });
      return deletedCount > 0;
    },

    countHolders,
  };
}
