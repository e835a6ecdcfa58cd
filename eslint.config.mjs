// ESLint (flat config) for the page and its tooling. Style is Prettier's
// business (.prettierrc.json, `npm run format:check`); these rules are for
// real problems: unused code, promises nobody waits for, unsafe `any`.
//   npm run lint
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const unused = ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }];

export default tseslint.config(
  { ignores: ['build/**', 'node_modules/**'] },

  // The page: TypeScript, checked with its types (web/tsconfig.json).
  {
    files: ['web/src/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      globals: globals.browser,
      parserOptions: { project: './web/tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': unused,
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      eqeqeq: ['error', 'always'],
    },
  },

  // Tests and scripts: plain ES modules for node; the browser tests and the
  // page checks also hand functions to the browser (page.evaluate).
  {
    files: ['tests/**/*.mjs', 'scripts/*.mjs', 'eslint.config.mjs'],
    extends: [js.configs.recommended],
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node, ...globals.browser },
    },
    rules: {
      'no-unused-vars': unused,
      eqeqeq: ['error', 'always'],
    },
  },
  // What the browser tests' host pages define for the functions they evaluate there.
  {
    files: ['tests/web/**/*.mjs'],
    languageOptions: { globals: { received: 'readonly', send: 'readonly', events: 'readonly' } },
  },
);
