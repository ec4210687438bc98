// `npm start` runs the script through `sh -c`; npm forwards SIGTERM to its
// child only. If that child is a shell that forks node, the shell dies and
// node is orphaned, still serving. The SIGTERM an operator (or systemd, or a
// container runtime) sends to the `npm start` PID must reach node and stop it
// gracefully (API.md, Operations).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../support/free-port.ts';
import { REPO_ROOT, tempDir } from '../support/spawn-server.ts';

// Generous: a first start generates RSA and EC keys and migrates PGlite, slow on a loaded machine.
const READY_TIMEOUT_MS = 150_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const health = (url: string) => fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.ok, () => false);

describe('npm start and signals', function () {
  this.timeout(READY_TIMEOUT_MS + 30_000);

  it('SIGTERM to the npm start PID stops the node server gracefully', async () => {
    const dir = await tempDir();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = {
      PATH: `${join(REPO_ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
      HOME: process.env.HOME ?? '/tmp',
      NODE_ENV: 'test', PORT: String(port), PUBLIC_URL: url, DATA_DIR: dir.path, LOG_LEVEL: 'info',
    };
    const npm = spawn('npm', ['start'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    npm.stdout!.setEncoding('utf8').on('data', (c: string) => (output += c));
    npm.stderr!.setEncoding('utf8').on('data', (c: string) => (output += c));
    // 'exit', not 'close': an orphaned node would hold the output pipes open.
    const npmExited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
    let serverPid: number | undefined;
    try {
      const deadline = Date.now() + READY_TIMEOUT_MS;
      while (!(await health(url))) {
        assert.ok(Date.now() < deadline && npm.exitCode === null, `npm start did not become healthy:\n${output}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      serverPid = (JSON.parse(output.split('\n').find((l) => l.includes('gatehouse listening'))!) as { pid: number }).pid;
      assert.notEqual(serverPid, npm.pid, 'node runs under npm, as in production');

      npm.kill('SIGTERM');
      await npmExited;
      // The server's own shutdown path ran (drain, close the database), not a kill.
      const waitUntil = Date.now() + 10_000;
      while (alive(serverPid) && Date.now() < waitUntil) await new Promise((r) => setTimeout(r, 100));
      assert.equal(alive(serverPid), false, `node ${serverPid} still running after SIGTERM to npm`);
      assert.equal(await health(url), false, 'the server still answers after SIGTERM to npm start');
      assert.match(output, /"signal":"SIGTERM".*"msg":"shutting down"/);
    } finally {
      if (npm.exitCode === null) npm.kill('SIGKILL');
      if (serverPid !== undefined && alive(serverPid)) process.kill(serverPid, 'SIGKILL');
      await dir.remove();
    }
  });
});
