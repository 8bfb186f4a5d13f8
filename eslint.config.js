// Lint rules: the recommended sets plus a few that catch real bugs in async server code.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.cache/', 'data/', 'downloads/', 'logs/', 'src/web/public/vendor/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's test()/describe() return promises the runner itself awaits.
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }] },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    files: ['**/*.js', 'src/web/public/**'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The web UI runs in the browser (no build step): these are the browser globals it uses.
    files: ['public/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        ['EventSource', 'File', 'URL', 'URLSearchParams', 'clearInterval', 'clearTimeout', 'document', 'fetch', 'location', 'navigator', 'setInterval', 'setTimeout', 'window']
          .map((name) => [name, 'readonly']),
      ),
    },
  },
)
