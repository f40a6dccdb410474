import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Most files wait on child processes, servers and timers more than they compute: one worker more than the
    // cores overlaps those waits (vitest's default is one fewer, a single worker on two cores).
    maxWorkers: availableParallelism() + 1,
  },
});
