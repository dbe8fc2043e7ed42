// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.cache/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
      },
    },
    rules: {
      'no-console': 'error',
    },
  },
  {
    // The layering: one core that knows nothing of its front doors, and front doors that know
    // nothing of each other. The core runs anywhere (the Actions runner, GitLab, a laptop).
    files: ['src/core/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@actions/*'],
              message:
                'src/core/ runs outside GitHub Actions too: only the front doors (src/action/, src/cli/) may import @actions/*.',
            },
            {
              group: ['**/action/**', '**/cli/**'],
              message: 'src/core/ may not import a front door (src/action/, src/cli/).',
            },
          ],
        },
      ],
    },
  },
  {
    // The proxy agents: `@actions/http-client` is a plain HTTP client that runs anywhere (the
    // command line loads it too, lazily, only behind a proxy); the runner toolkit stays out.
    files: ['src/core/transport/proxy.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@actions/*', '!@actions/http-client'],
              message: 'src/core/ runs outside GitHub Actions too: only @actions/http-client here.',
            },
            {
              group: ['**/action/**', '**/cli/**'],
              message: 'src/core/ may not import a front door (src/action/, src/cli/).',
            },
          ],
        },
      ],
    },
  },
  {
    // Reporting where reviewers look (GitHub's check, comment and baseline; GitLab's note): both doors use it.
    files: ['src/report/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@actions/core', '@actions/github'],
              message: 'src/report/ serves the command line too, which loads no Actions runtime.',
            },
            {
              group: ['**/action/**', '**/cli/**'],
              message: 'src/report/ serves both front doors and may import neither.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/action/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/cli/**'], message: 'The action may not import the command line.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/cli/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@actions/core', '@actions/github', '**/action/**'],
              message:
                'The command line runs outside GitHub Actions: it may not import the action or the runner toolkit.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['scripts/**', 'bench/**', 'test/**'],
    rules: {
      'no-console': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
