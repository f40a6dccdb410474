// The order files start in: the longest first, so that no long one starts last and runs alone at the end. With
// the durations of an earlier run (vitest's cache) that is vitest's own order; without them (a fresh clone, as
// in CI) a file's longest declared test or hook timeout stands for how long it waits, then its size.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** The largest timeout a file gives a test or hook, such as the `180_000` of `it('…', async () => {…}, 180_000)`. */
function longestTimeout(file: string): number {
  const timeouts = readFileSync(file, 'utf8').match(/\b\d{1,3}_000(?=\s*\))/g) ?? [];
  return Math.max(0, ...timeouts.map((timeout) => Number(timeout.replace('_', ''))));
}

export class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const cached = files.every((file) =>
      this.ctx.cache.getFileTestResults(`${file.project.name}:${relative(this.ctx.config.root, file.moduleId)}`),
    );
    if (cached) return super.sort(files);
    const weight = new Map(files.map((file) => [file.moduleId, longestTimeout(file.moduleId)]));
    const sized = await super.sort(files);
    return sized.sort((a, b) => (weight.get(b.moduleId) ?? 0) - (weight.get(a.moduleId) ?? 0));
  }
}
