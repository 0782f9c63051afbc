// Three test sets: unit (no Docker, no network), integration (real engine) and e2e (real Chromium),
// run one set after another (groupOrder): left alone, Vitest runs projects at once, and an
// integration file and an e2e file would share the engine and the two cores.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      // Unit tests run in a random order each time (the seed is printed), so none can lean on another.
      { test: { name: 'unit', sequence: { groupOrder: 0, shuffle: { files: false, tests: true } }, include: ['server/**/*.test.ts', 'src/**/*.test.ts', 'tests/unit/**/*.test.ts', 'tests/unit-site/**/*.test.ts'] } },
      {
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['tests/integration/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // One engine on 2 cores: files run one after another so timings stay sane.
          fileParallelism: false,
        },
      },
      { test: { name: 'e2e', sequence: { groupOrder: 2 }, include: ['tests/e2e/**/*.test.ts'], testTimeout: 300_000, hookTimeout: 300_000, fileParallelism: false } },
    ],
  },
});
