// The ceiling for password logins: argon2id verifications per second on this
// machine with the server's own parameters, at the login scenario's
// concurrency. argon2 runs on libuv's thread pool (4 threads by default, as in
// the server), so concurrent verify() calls spread over the cores exactly as
// the server's do. Measured in turns with the logins (load.ts), while the
// servers are idle.
import { argon2id, hash, verify } from 'argon2';
import type { Argon2Params } from '../src/services/password-hasher.ts';
import { createRecorder, type LoadSource, type Recorder } from './load.ts';

const PASSWORD = 'correct horse battery staple';

async function loop(stored: string, seconds: number, concurrency: number, recorder?: Recorder): Promise<void> {
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        const ok = await verify(stored, PASSWORD);
        recorder?.response(ok ? 200 : 500, performance.now() - t0);
      }
    }),
  );
  recorder?.elapsed((performance.now() - started) / 1000);
}

export async function argon2Source(params: Argon2Params, concurrency: number): Promise<LoadSource> {
  const stored = await hash(PASSWORD, { type: argon2id, ...params });
  return {
    recorder: () => createRecorder(),
    warmup: (seconds) => loop(stored, seconds, concurrency),
    slice: (seconds, recorder) => loop(stored, seconds, concurrency, recorder),
  };
}
