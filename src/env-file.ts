// Read before anything else (main.ts): it may switch tracing on, which must
// start before the modules it instruments load, so this file imports only
// node's built-ins.
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

/**
 * `.env` in the working directory, when there is one, fills the variables the
 * environment leaves unset: the environment wins, so a deployment's settings
 * are never overridden by a file lying next to it. node:util's parseEnv (the
 * parser behind `node --env-file`), no dependency. True when a file was read.
 */
export function readEnvFile(path = '.env', env: NodeJS.ProcessEnv = process.env): boolean {
  if (!existsSync(path)) return false;
  for (const [name, value] of Object.entries(parseEnv(readFileSync(path, 'utf8')))) {
    if (env[name] === undefined) env[name] = value;
  }
  return true;
}
