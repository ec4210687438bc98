import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers of src/ and the arrows between them (docs/architecture.md):
 * pages and http -> sign-in, oidc -> services -> storage/ports. A folder may
 * not import from the folders listed for it, so an arrow pointing the wrong
 * way fails `npm run lint` (and with it `npm test`). Relative paths climb out
 * with `../`, so the pattern matches an import that climbs into a forbidden
 * top-level folder of src/.
 */
function forbid(...folders) {
  const names = folders.join('|');
  return {
    'no-restricted-imports': ['error', {
      patterns: [{
        regex: `^(\\.\\./)+(${names})(/|$)`,
        message: `This layer may not import from ${folders.join(', ')}: dependencies point pages/http -> sign-in/oidc -> services -> storage (docs/architecture.md).`,
      }],
    }],
  };
}

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'test-artifacts/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-console': ['error', { allow: ['error'] }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Command-line tools and tests talk to a terminal, not to the log.
    files: ['src/cli/**', 'test/**', 'bench/**', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
  { files: ['src/storage/**'], rules: forbid('services', 'sign-in', 'oidc', 'http', 'pages') },
  { files: ['src/services/**'], rules: forbid('sign-in', 'oidc', 'http', 'pages') },
  { files: ['src/sign-in/**'], rules: forbid('oidc', 'http', 'pages') },
  { files: ['src/oidc/**'], rules: forbid('http', 'pages') },
  { files: ['src/http/**'], rules: forbid('pages') },
);
