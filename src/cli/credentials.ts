// Where `gatehouse login` keeps its tokens: $GATEHOUSE_CONFIG_DIR (default
// ~/.config/gatehouse)/credentials.json, readable by its owner only (0600,
// in a 0700 directory), written whole through a temporary file so a crash
// never leaves half a file. No password or client secret is ever stored.
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface Credentials {
  /** The server these tokens are for. */
  url: string;
  method: 'password' | 'client_credentials';
  /** Who: the account's email or the client's id. */
  subject: string;
  access_token: string;
  refresh_token?: string;
  /** ISO 8601. */
  expires_at: string;
}

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.GATEHOUSE_CONFIG_DIR || join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'gatehouse');
}

export const credentialsPath = (env: NodeJS.ProcessEnv = process.env) => join(configDir(env), 'credentials.json');

export async function readCredentials(env: NodeJS.ProcessEnv = process.env): Promise<Credentials | undefined> {
  try {
    return JSON.parse(await readFile(credentialsPath(env), 'utf8')) as Credentials;
  } catch {
    return undefined;
  }
}

export async function writeCredentials(credentials: Credentials, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const dir = configDir(env);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = credentialsPath(env);
  const draft = `${path}.${process.pid}.tmp`;
  await writeFile(draft, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  // The mode given to writeFile is filtered by the umask; make sure.
  await chmod(draft, 0o600);
  await rename(draft, path);
}

export async function removeCredentials(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  await rm(credentialsPath(env), { force: true });
}
