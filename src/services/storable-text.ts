// PostgreSQL text cannot hold U+0000, and a lone UTF-16 surrogate cannot be
// encoded as UTF-8 at all: either one reaching a query is a driver error (a
// 500). Input is checked for both at every edge instead (JSON and form
// bodies, route params, oidc-provider's adapter, sign-in).

/** True when the string can be stored as is: no NUL, well-formed UTF-16. */
export function isStorableText(value: string): boolean {
  return !value.includes('\u0000') && value.isWellFormed();
}

/**
 * The path of the first string (key or value) in a JSON value that is not
 * storable, or undefined. Iterative: a body nested 20,000 deep must not
 * overflow the stack.
 */
export function findUnstorableText(value: unknown): string[] | undefined {
  // Each entry links to its parent, so paths are built only for the culprit.
  interface Entry { value: unknown; key: string; parent: Entry | undefined }
  const pathOf = (entry: Entry | undefined, last?: string): string[] => {
    const path = last === undefined ? [] : [last];
    for (let e = entry; e?.parent !== undefined; e = e.parent) path.unshift(e.key);
    return path;
  };
  const pending: Entry[] = [{ value, key: '', parent: undefined }];
  while (pending.length > 0) {
    const entry = pending.pop()!;
    if (typeof entry.value === 'string') {
      if (!isStorableText(entry.value)) return pathOf(entry);
    } else if (entry.value !== null && typeof entry.value === 'object') {
      for (const [key, item] of Object.entries(entry.value)) {
        if (!isStorableText(key)) return pathOf(entry, key);
        pending.push({ value: item, key, parent: entry });
      }
    }
  }
  return undefined;
}
