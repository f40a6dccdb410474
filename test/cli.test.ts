import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from './helpers/artifact.js';

const bin = join(packageRoot, 'bin', 'products-cli.js');

/** Runs the bin with its stdout closed before it writes a byte, as `| head` does once it has read enough. */
function runIntoClosedPipe(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('products-cli', () => {
  it.each([[['--help']], [['setup', '--help']], [['--version']]])(
    'ends quietly when the reader of %j goes away',
    async (args) => {
      const { code, stderr } = await runIntoClosedPipe(args);

      expect(stderr).toBe('');
      expect(code).toBe(0);
    },
  );
});
