#!/usr/bin/env node
// `gatehouse <command>` (`npx gatehouse`, `npm run cli --`): manage a running
// Gatehouse through its admin API, and create the first admin directly in
// the database. Exit codes: src/cli/errors.ts and README, "CLI".
import { createApiClient } from './api-client.ts';
import { auditCommands } from './audit.ts';
import { clientsCommands } from './clients.ts';
import { type Command, type CommandGroup, parseCommandArgs, str } from './command.ts';
import { createAdminCommand } from './create-admin.ts';
import { CliError, EXIT, UsageError } from './errors.ts';
import { keysCommands } from './keys.ts';
import { authCommands } from './login.ts';
import { createOutput } from './output.ts';
import { rolesCommands } from './roles.ts';
import { usersCommands } from './users.ts';

/** Groups whose commands stand alone (`gatehouse login`), then groups of subcommands (`gatehouse users list`). */
const TOP_LEVEL: CommandGroup[] = [authCommands, createAdminCommand];
const GROUPS: CommandGroup[] = [usersCommands, rolesCommands, clientsCommands, keysCommands, auditCommands];

function overview(): string {
  const lines = ['usage: gatehouse <command> [options]', ''];
  for (const command of TOP_LEVEL.flatMap((g) => g.commands)) lines.push(`  ${command.name.padEnd(26)}${command.summary}`);
  for (const group of GROUPS) lines.push(`  ${`${group.name} <command>`.padEnd(26)}${group.summary}`);
  lines.push(
    '',
    'Options for every command: --url <server> (or GATEHOUSE_URL; default: the server logged in to), --json, --help.',
    'Exit codes: 0 ok, 1 refused (one line: error: CODE: message), 2 usage, 3 not logged in or credentials refused, 4 server unreachable.',
  );
  return lines.join('\n');
}

const groupHelp = (group: CommandGroup) =>
  [`usage: gatehouse ${group.name} <command>`, '', ...group.commands.map((c) => `  ${c.name.padEnd(16)}${c.summary}`)].join('\n');

const commandHelp = (path: string, command: Command) => `usage: gatehouse ${path} ${command.usage}`.trimEnd() + `\n\n${command.summary}`;

/** Find the command named by argv; returns it with its path and remaining arguments. */
function resolve(argv: string[]): { command: Command; path: string; rest: string[] } | { help: string } {
  const [first, second, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') return { help: overview() };
  const standalone = TOP_LEVEL.flatMap((g) => g.commands).find((c) => c.name === first);
  if (standalone) return { command: standalone, path: first, rest: argv.slice(1) };
  const group = GROUPS.find((g) => g.name === first);
  if (!group) throw new UsageError(`unknown command ${first}; see gatehouse --help`);
  if (second === '--help' || second === '-h') return { help: groupHelp(group) };
  if (second === undefined) throw new UsageError(`${first} needs a command: ${group.commands.map((c) => c.name).join(', ')}`);
  const command = group.commands.find((c) => c.name === second);
  if (!command) throw new UsageError(`unknown command ${first} ${second}; see gatehouse ${first} --help`);
  return { command, path: `${first} ${second}`, rest };
}

/** Where a run reads and writes: the process's own, or a test's. */
export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const processIo = (): CliIo => ({ env: process.env, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const { env } = io;
  const print = (stream: NodeJS.WritableStream, text: string) => stream.write(`${text}\n`);
  let path = '';
  try {
    const found = resolve(argv);
    if ('help' in found) {
      print(io.stdout, found.help);
      return EXIT.ok;
    }
    path = found.path;
    const { positionals, values } = parseCommandArgs(found.command, found.rest);
    if (values.help) {
      print(io.stdout, commandHelp(found.path, found.command));
      return EXIT.ok;
    }
    const ctx = {
      positionals,
      values,
      env,
      stdin: io.stdin,
      out: createOutput(values.json === true, io.stdout, io.stderr),
      api: () => createApiClient({ url: str({ values } as never, 'url'), env }),
    };
    await found.command.run(ctx);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof UsageError) {
      print(io.stderr, `usage error: ${err.message}${path ? `; see gatehouse ${path} --help` : ''}`);
      return err.exitCode;
    }
    if (err instanceof CliError) {
      print(io.stderr, err.message);
      return err.exitCode;
    }
    // Our bug or an unexpected failure: one line, no stack trace.
    print(io.stderr, `error: INTERNAL: ${(err as Error)?.message ?? String(err)}`);
    return EXIT.refused;
  }
}

if (import.meta.main) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
    // Open database handles or sockets must not keep a finished command alive.
    setImmediate(() => process.exit(code));
  });
}
