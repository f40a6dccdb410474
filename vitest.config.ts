import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { LongestFirst } from './test/sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Files share a worker's loaded modules (the AWS SDK alone takes about half a second a file to load); a
    // file that stubs a class (aws-sdk-client-mock's mockClient) restores it in its afterAll.
    isolate: false,
    // The longest files start first (test/sequencer.ts).
    sequence: { sequencer: LongestFirst },
    // Most files wait on processes (the CLI, local stacks, moto) more than they compute: two workers more than the
    // cores keep them busy (201 s with one more on 2 cores, 188 s with two), up to 6.
    maxWorkers: Math.min(6, availableParallelism() + 2),
  },
});
