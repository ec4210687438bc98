// The layer arrows of docs/architecture.md are lint rules: an import that
// points the wrong way fails `npm run lint`. Checked with ESLint itself on
// the project's config, as if the file lived in each folder.
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const CASES: Array<[file: string, importPath: string, allowed: boolean]> = [
  ['src/services/example.ts', '../http/api/route.ts', false],
  ['src/services/example.ts', '../pages/render.ts', false],
  ['src/services/example.ts', '../oidc/provider.ts', false],
  ['src/services/mfa/example.ts', '../../http/api/route.ts', false],
  ['src/services/example.ts', '../storage/ports.ts', true],
  ['src/storage/sql/example.ts', '../../services/accounts.ts', false],
  ['src/sign-in/example.ts', '../pages/render.ts', false],
  ['src/sign-in/example.ts', '../services/accounts.ts', true],
  ['src/oidc/example.ts', '../pages/render.ts', false],
  ['src/oidc/example.ts', '../http/device-info.ts', false],
  ['src/oidc/example.ts', '../sign-in/flow.ts', true],
  ['src/http/api/example.ts', '../../pages/render.ts', false],
  ['src/http/api/example.ts', '../../sign-in/flow.ts', true],
  ['src/pages/example.ts', '../sign-in/flow.ts', true],
  ['src/pages/example.ts', '../http/api/schemas.ts', true],
];

describe('layer arrows (eslint no-restricted-imports)', function () {
  this.timeout(60_000);
  for (const [file, importPath, allowed] of CASES) {
    it(`${file} ${allowed ? 'may' : 'may not'} import ${importPath}`, async function () {
      const errors = await layerErrors(file, `import type { X } from '${importPath}';\nexport type Y = X;\n`);
      if (allowed) assert.deepEqual(errors, []);
      else assert.match(errors.join('\n'), /This layer may not import from/);
    });
  }
});
