import { describe, expect, it } from 'vitest';
import { createProgress } from '../../src/output/progress.js';
import { testContext } from '../aws/fake/harness.js';
import { VirtualClock } from '../aws/fake/virtual-clock.js';

describe('step progress with --quiet', () => {
  it.each([
    ['a pipe', false],
    ['a terminal', true],
  ])('prints nothing on %s: no spinner, no step line, no note', async (_name, tty) => {
    const ctx = { ...testContext('/tmp'), quiet: true };
    ctx.stderr.isTTY = tty;
    const progress = createProgress(ctx, new VirtualClock());
    await progress.step('table product', async () => ({ outcome: 'created' as const }));
    progress.note('waiting for IAM…');
    progress.close();
    expect(ctx.stderr.text()).toBe('');
  });
});
