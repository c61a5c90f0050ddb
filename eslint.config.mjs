// Lint: typescript-eslint's type-checked recommended rules on src/ and test/, no import cycles, only the
// CLI (and the package's entry) imports src/cli, and the dashboard's browser script under ESLint's own
// recommended rules. Formatting is Prettier's (npm run format); this config has no style rules.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const root = dirname(fileURLToPath(import.meta.url));

export default [
  { ignores: ['dist/', 'coverage/', 'connector/', 'test/cases/'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' },
    plugins: { 'import-x': importX, '@typescript-eslint': tseslint.plugin },
    settings: {
      // Resolves `../x` to x.ts (and x/index.ts) as tsc does, and parses the files it follows as TypeScript.
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: `${root}/tsconfig.json` })],
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: {
      // `import type` is not an edge: the plugin skips type-only imports and has no option to count them.
      'import-x/no-cycle': 'error',
    },
  },
  // Rules that read types: each file is checked with the tsconfig.json that includes it.
  ...tseslint.configs.recommendedTypeChecked.map((config) => ({ ...config, files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'] })),
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: root } },
    rules: {
      // A promise nobody awaits loses its rejection; one passed where a callback's result is ignored does too.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // `x!` states what the types do not: a check with a clear error, a narrowing or a better type says it instead.
      '@typescript-eslint/no-non-null-assertion': 'error',
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Test fakes implement Promise-returning interfaces (Redis, Kafka's admin, sleep) with bodies that wait for nothing.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**', 'src/index.ts'],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          basePath: root,
          zones: [
            { target: './src', from: './src/cli', message: 'src/cli is the command line: only it (and src/index.ts) may import it.' },
          ],
        },
      ],
    },
  },
  {
    // Served to the browser as it is (no build step): a classic script, with Chart.js loaded before it.
    ...js.configs.recommended,
    files: ['templates/dashboard/*.js'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'script', globals: { ...globals.browser, Chart: 'readonly' } },
  },
];
