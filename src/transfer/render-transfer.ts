/** How import and export results look for people. */
import type { Style } from '../output/render-style.js';
import type { ImportResult } from '../commands/import.js';
import type { ExportResult } from '../commands/export.js';

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** `1000 rows from products.csv (csv) in 1.20 s: 990 created, 5 skipped (id exists), 5 failed`. */
export function renderImportSummary(result: ImportResult, style: Style): string {
  const from = result.file === '-' ? 'stdin' : result.file;
  const failed = result.failed > 0 ? style.red(`${result.failed} failed`) : '0 failed';
  const lines = [
    `${result.rows} rows from ${from} (${result.format}) in ${seconds(result.durationMs)}: ${style.green(`${result.created} created`)}, ${result.skipped} skipped (id exists), ${failed}`,
  ];
  if (result.withoutId > 0) lines.push(style.yellow(`${result.withoutId} rows had no id: the API chose one, so importing the file again would create them again`));
  if (result.failuresOmitted > 0) lines.push(style.dim(`(${result.failuresOmitted} more failures not listed in --json output)`));
  if (result.interrupted) lines.push(style.yellow('interrupted: run the same import again to go on (existing ids are skipped)'));
  return lines.join('\n');
}

/** `exported 1000 products to backup.ndjson in 0.80 s`. */
export function renderExportSummary(result: ExportResult): string {
  return `exported ${result.exported} products${result.output !== undefined ? ` to ${result.output}` : ''} in ${seconds(result.durationMs)}`;
}
