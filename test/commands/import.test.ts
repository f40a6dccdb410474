import { describe, expect, it } from 'vitest';
import { renderImportSummary } from '../../src/commands/import.js';
import type { ImportResult } from '../../src/commands/import-file.js';
import { plainStyle } from '../../src/output/style.js';

const result = (counts: Partial<ImportResult>): ImportResult => ({
  file: 'one.csv',
  format: 'csv',
  rows: 0,
  valid: 0,
  created: 0,
  skipped: 0,
  failed: 0,
  notSent: 0,
  throttled: 0,
  alreadyDone: 0,
  withoutId: 0,
  failures: [],
  failuresOmitted: 0,
  dryRun: false,
  durationMs: 1200,
  interrupted: false,
  ...counts,
});

describe('renderImportSummary', () => {
  it('counts one row, one request and one row without id in the singular', () => {
    expect(
      renderImportSummary(result({ rows: 1, created: 1, throttled: 1, withoutId: 1 }), plainStyle).split('\n'),
    ).toEqual([
      '1 row from one.csv (csv) in 1.20 s: 1 created, 0 skipped (id exists), 0 failed',
      'the API throttled 1 request (429); each was sent again at a pace it accepts',
      '1 row had no id: the API chose one, so importing the file again would create it again',
    ]);
  });

  it('and more in the plural', () => {
    expect(
      renderImportSummary(result({ rows: 3, created: 3, throttled: 2, withoutId: 3 }), plainStyle).split('\n'),
    ).toEqual([
      '3 rows from one.csv (csv) in 1.20 s: 3 created, 0 skipped (id exists), 0 failed',
      'the API throttled 2 requests (429); each was sent again at a pace it accepts',
      '3 rows had no id: the API chose one, so importing the file again would create them again',
    ]);
  });

  it('says how many of the skipped rows the checkpoint of an earlier run spared', () => {
    expect(
      renderImportSummary(result({ rows: 10, created: 4, skipped: 6, alreadyDone: 5 }), plainStyle).split('\n'),
    ).toEqual([
      '10 rows from one.csv (csv) in 1.20 s: 4 created, 6 skipped (id exists), 0 failed',
      '5 of the skipped rows were done by an earlier run of this import (its checkpoint) and not sent again',
    ]);
  });
});
