// What the CLI prints: aligned tables for people, the API's JSON (--json) for
// scripts, and notes on stderr so stdout stays parseable.
export interface Output {
  json: boolean;
  /** With --json the value as JSON; otherwise the table. */
  result(value: unknown, table: () => unknown[][] | undefined): void;
  /** A line on stdout (never with --json). */
  line(text: string): void;
  /** One compact JSON value per line (JSON Lines, for streams such as `audit tail --follow`). */
  jsonLine(value: unknown): void;
  /** The outcome of a command with nothing to list: `value` as JSON with --json, else `text`. */
  done(value: unknown, text: string): void;
  /** A line on stderr (hints, progress). */
  note(text: string): void;
}

const cell = (value: unknown): string => {
  if (value === null || value === undefined) return '-';
  if (Array.isArray(value)) return value.length === 0 ? '-' : value.map(cell).join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  // One line per row: no control characters from stored text reach the terminal.
  // eslint-disable-next-line no-control-regex
  return String(value).replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
};

/** Rows (the first one is the header) padded into columns. */
export function formatTable(rows: unknown[][]): string {
  const text = rows.map((row) => row.map(cell));
  const widths = text[0]!.map((_, i) => Math.max(...text.map((row) => row[i]?.length ?? 0)));
  return text.map((row) => row.map((value, i) => (i === row.length - 1 ? value : value.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

/** Field/value rows for one object. */
export const fieldRows = (value: Record<string, unknown>, fields: string[]): unknown[][] => [
  ['FIELD', 'VALUE'],
  ...fields.filter((f) => f in value).map((f) => [f, value[f]]),
];

export function createOutput(json: boolean, stdout: NodeJS.WritableStream = process.stdout, stderr: NodeJS.WritableStream = process.stderr): Output {
  return {
    json,
    result(value, table) {
      if (json) {
        if (value !== undefined) stdout.write(`${JSON.stringify(value, null, 2)}\n`);
        return;
      }
      const rows = table();
      if (rows && rows.length > 0) stdout.write(`${formatTable(rows)}\n`);
    },
    line(text) {
      if (!json) stdout.write(`${text}\n`);
    },
    jsonLine(value) {
      stdout.write(`${JSON.stringify(value)}\n`);
    },
    done(value, text) {
      stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
    },
    note(text) {
      stderr.write(`${text}\n`);
    },
  };
}
