// Example values for the OpenAPI document and /docs, derived from the JSON
// Schemas the zod definitions convert to: a field's own `example` (set with
// `.meta({ example })` next to its zod schema) wins, then its const, enum,
// default or format; the rest is a placeholder of the right type. Deriving
// them keeps the examples in step with the schemas: a renamed or added field
// shows up in its example at once.

type Json = Record<string, unknown>;

/** Placeholders by JSON Schema `format`, in the style of the rest of the document. */
const BY_FORMAT: Readonly<Record<string, unknown>> = {
  email: 'ada@example.com',
  'date-time': '2026-01-15T09:30:00.000Z',
  date: '2026-01-15',
  uuid: '8c5f0e1a-3b7d-4e29-9a61-0f2d4c8b7e53',
  uri: 'https://app.example.com/callback',
  url: 'https://app.example.com/callback',
  ipv4: '203.0.113.7',
  ipv6: '2001:db8::7',
};

const MAX_DEPTH = 8;

/**
 * An example of `schema`. `components` resolves `#/components/schemas/…`
 * refs; `name` (the property holding it) only makes a placeholder string
 * read better.
 */
export function exampleOf(schema: unknown, components: Record<string, Json>, name = 'value', depth = 0): unknown {
  if (schema === null || typeof schema !== 'object' || depth > MAX_DEPTH) return null;
  const s = schema as Json;
  if (s.example !== undefined) return s.example;
  if (Array.isArray(s.examples) && s.examples.length) return s.examples[0];
  if (typeof s.$ref === 'string') {
    const target = components[s.$ref.replace('#/components/schemas/', '')];
    return exampleOf(target, components, name, depth + 1);
  }
  if (s.const !== undefined) return s.const;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  if (s.default !== undefined) return s.default;
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const options = s[key];
    if (!Array.isArray(options)) continue;
    // The first alternative that is not null: a nullable field shows its value.
    const chosen = options.find((o) => (o as Json)?.type !== 'null') ?? options[0];
    return exampleOf(chosen, components, name, depth + 1);
  }
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'object': {
      const out: Json = {};
      for (const [key, property] of Object.entries((s.properties ?? {}) as Record<string, unknown>)) {
        out[key] = exampleOf(property, components, key, depth + 1);
      }
      return out;
    }
    case 'array':
      return s.items === undefined ? [] : [exampleOf(s.items, components, singular(name), depth + 1)];
    case 'integer':
    case 'number':
      return typeof s.minimum === 'number' ? Math.max(s.minimum, 1) : 1;
    case 'boolean':
      return false;
    case 'string':
      if (typeof s.format === 'string' && s.format in BY_FORMAT) return BY_FORMAT[s.format];
      return name;
    case 'null':
      return null;
    default:
      return null;
  }
}

function singular(name: string): string {
  return name.endsWith('s') ? name.slice(0, -1) : name;
}
