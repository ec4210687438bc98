// Passwords and secrets for the CLI: from stdin (`--password-stdin`, for
// scripts: never on the command line, where `ps` shows it) or typed at a
// prompt that does not echo.
import { createInterface } from 'node:readline';
import { UsageError } from './errors.ts';

/** All of stdin, without the one trailing newline `echo` adds. */
export async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  let data = '';
  stdin.setEncoding('utf8');
  for await (const chunk of stdin) data += chunk as string;
  return data.replace(/\r?\n$/, '');
}

/** Ask on the terminal without echoing what is typed. */
export function prompt(question: string, stdin: NodeJS.ReadableStream, stderr: NodeJS.WritableStream = process.stderr): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: stdin, output: stderr, terminal: true });
    stderr.write(question);
    // Keep readline from echoing the characters.
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => {};
    rl.question('', (answer) => {
      rl.close();
      stderr.write('\n');
      resolve(answer);
    });
  });
}

/** The password: from stdin with --password-stdin, else a prompt when stdin is a terminal. */
export async function readPassword(
  options: { fromStdin: boolean; question?: string },
  stdin: NodeJS.ReadableStream & { isTTY?: boolean },
): Promise<string> {
  if (options.fromStdin) return readStdin(stdin);
  if (stdin.isTTY) return prompt(options.question ?? 'Password: ', stdin);
  throw new UsageError('no password: pass it on stdin with --password-stdin, or run in a terminal');
}
