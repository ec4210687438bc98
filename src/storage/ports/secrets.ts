// Server secrets: signing keys, cookie keys, the audit identifier key.

/** Kinds of server secret kept in the store. */
/** `audit-key`: the key of audit identifier hashes when ENCRYPTION_KEY is unset (services/audit-identifier.ts). */
export type SecretKind = 'signing-key' | 'cookie-key' | 'audit-key';

export interface SecretRecord {
  id: string;
  kind: SecretKind;
  /** A private JWK for signing keys, `{ value }` for cookie keys. */
  material: Record<string, unknown>;
  createdAt: Date;
}

export interface SecretStore {
  /** Insert unless the id exists; true when inserted. A fixed id makes first-start generation race-free across processes. */
  insert(secret: Omit<SecretRecord, 'createdAt'>): Promise<boolean>;
  /** Secrets of a kind, newest first (the first one signs, the rest still verify). */
  findByKind(kind: SecretKind): Promise<SecretRecord[]>;
  /** Replace the material of an existing secret (kind, createdAt and order kept); true when it exists. */
  update(id: string, material: Record<string, unknown>): Promise<boolean>;
  /** Delete; true when something was deleted. */
  delete(id: string): Promise<boolean>;
}
