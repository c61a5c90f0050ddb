// A small rule set: no import cycles, and only the CLI (and the package's entry) imports src/cli.
// Formatting is Prettier's (npm run format); this config has no style rules.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const root = dirname(fileURLToPath(import.meta.url));

export default [
  { ignores: ['dist/', 'coverage/', 'connector/', 'test/cases/', 'templates/'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' },
    // typescript-eslint's own rules are registered (a disable comment may name one) but none is on.
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
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**', 'src/index.ts'],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        { basePath: root, zones: [{ target: './src', from: './src/cli', message: 'src/cli is the command line: only it (and src/index.ts) may import it.' }] },
      ],
    },
  },
];
