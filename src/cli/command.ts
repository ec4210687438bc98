// A CLI command: its options (node:util parseArgs), how many positionals it
// takes, and what it does. The entry point (gatehouse.ts) finds the command,
// parses its arguments and runs it; a command prints through `out`.
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { UsageError } from './errors.ts';
import type { Output } from './output.ts';
import type { ApiClient } from './api-client.ts';

export interface CommandContext {
  positionals: string[];
  values: Record<string, string | boolean | string[] | undefined>;
  out: Output;
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** A client logged in to --url / GATEHOUSE_URL / the stored server (throws NotLoggedInError otherwise). */
  api(): Promise<ApiClient>;
}

export interface Command {
  name: string;
  /** `<id>`, `--email <address> [--name <name>]`…: shown after the command's name. */
  usage: string;
  summary: string;
  options?: ParseArgsOptionsConfig;
  /** Positionals: exactly this many, or [min, max]. */
  args?: number | [number, number];
  run(ctx: CommandContext): Promise<void>;
}

export interface CommandGroup {
  name: string;
  summary: string;
  commands: Command[];
}

/** Options every command takes. */
export const GLOBAL_OPTIONS: ParseArgsOptionsConfig = {
  url: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export function parseCommandArgs(command: Command, argv: string[]): { positionals: string[]; values: CommandContext['values'] } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]!);
  }
  const [min, max] = Array.isArray(command.args) ? command.args : [command.args ?? 0, command.args ?? 0];
  const count = parsed.positionals.length;
  if (!parsed.values.help && (count < min || count > max)) {
    throw new UsageError(count < min ? 'missing argument' : `unexpected argument ${parsed.positionals[max]}`);
  }
  return { positionals: parsed.positionals, values: parsed.values as CommandContext['values'] };
}

/** An option's string value, or undefined. */
export const str = (ctx: CommandContext, name: string) => {
  const value = ctx.values[name];
  return typeof value === 'string' ? value : undefined;
};

/** A required option. */
export function required(ctx: CommandContext, name: string): string {
  const value = str(ctx, name);
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

/** `true`/`false` option values (`--verified false`). */
export function bool(ctx: CommandContext, name: string): boolean | undefined {
  const value = str(ctx, name);
  if (value === undefined) return undefined;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new UsageError(`--${name} must be true or false`);
}

/** A comma-separated list option (`--permissions a,b`), also repeatable. */
export function list(ctx: CommandContext, name: string): string[] | undefined {
  const value = ctx.values[name];
  if (value === undefined || typeof value === 'boolean') return undefined;
  return (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

/** A whole number option. */
export function int(ctx: CommandContext, name: string): number | undefined {
  const value = str(ctx, name);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number`);
  return Number(value);
}
