/** Debian's chromium driven by playwright-core (no browser download): where it is, its flags, and what is missing. */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

export const CHROMIUM = '/usr/bin/chromium';
export const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** What this machine lacks to run a browser test, in one line; undefined when it has everything. */
export function missingBrowser(): string | undefined {
  if (!existsSync(CHROMIUM)) return `needs Chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/run installs it)`;
  try {
    createRequire(import.meta.url).resolve('playwright-core');
  } catch {
    return 'needs playwright-core: npm ci';
  }
  return undefined;
}
