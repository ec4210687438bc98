// What every port schema shares (models.ts explains why).

export const OPTIONS = { versionKey: false, minimize: false, id: false, strict: true } as const;

/** TTL: the server deletes a document once this date has passed (its monitor runs every 60 s). */
export const TTL = { expireAfterSeconds: 0 } as const;
