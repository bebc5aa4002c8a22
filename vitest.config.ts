import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Plugins (and examples) import the package by name; tests resolve it to the sources.
    alias: [
      { find: /^@mappa\/sdk$/, replacement: fileURLToPath(new URL('./index.ts', import.meta.url)) },
      { find: /^@mappa\/sdk\/plugin$/, replacement: fileURLToPath(new URL('./plugin.ts', import.meta.url)) },
      { find: /^@mappa\/sdk\/testing$/, replacement: fileURLToPath(new URL('./testing/index.ts', import.meta.url)) },
      { find: /^@mappa\/sdk\/internals$/, replacement: fileURLToPath(new URL('./internals.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['dist/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
