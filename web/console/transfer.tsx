/**
 * Import and export. A dropped (or chosen) file is checked first by the console with the readers and rules of
 * `import`, nothing sent; the bad rows are listed; then the valid rows are sent at the pace of `import`, with
 * counts as they go. Export downloads every product as NDJSON or CSV.
 */
import { useRef, useState } from 'preact/hooks';
import type { ImportSummary } from '../../src/transfer/import-rows.js';

type Summary = ImportSummary;
interface Counts {
  rows: number;
  created: number;
  skipped: number;
  failed: number;
  throttled: number;
  elapsedMs: number;
}
type Stage =
  | { kind: 'idle' }
  | { kind: 'checking'; file: File }
  | { kind: 'checked'; file: File; format: string; summary: Summary }
  | { kind: 'importing'; file: File; format: string; valid: number; counts: Counts }
  | { kind: 'imported'; file: File; summary: Summary }
  | { kind: 'failed'; file?: File; message: string };

const whole = new Intl.NumberFormat();
const importUrl = (file: File, check: boolean) =>
  `/console/import?name=${encodeURIComponent(file.name)}${check ? '&check' : ''}`;

async function check(file: File): Promise<Stage> {
  const response = await fetch(importUrl(file, true), {
    method: 'POST',
    body: file,
    headers: { 'content-type': 'application/octet-stream' },
  });
  const answer = (await response.json()) as { format: string; summary: Summary; error?: string };
  if (!response.ok || answer.error)
    return { kind: 'failed', file, message: answer.error ?? `the console answered ${response.status}` };
  return { kind: 'checked', file, format: answer.format, summary: answer.summary };
}

/** The NDJSON events of an import, one object per line, as they arrive. */
async function* events(response: Response): AsyncGenerator<Record<string, unknown>> {
  const reader = (response.body as ReadableStream<BufferSource>).pipeThrough(new TextDecoderStream()).getReader();
  let pending = '';
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    pending += next.value;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) yield JSON.parse(line) as Record<string, unknown>;
  }
}

function Failures(props: { summary: Summary; caption: string }) {
  const { failures, failuresOmitted } = props.summary;
  if (failures.length === 0) return null;
  return (
    <table class="failures">
      <caption>{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">Line</th>
          <th scope="col">Id</th>
          <th scope="col">Reason</th>
        </tr>
      </thead>
      <tbody>
        {failures.map((f) => (
          <tr>
            <td class="num">{f.line}</td>
            <td class="mono">{f.id ?? '—'}</td>
            <td>{f.reason}</td>
          </tr>
        ))}
        {failuresOmitted > 0 && (
          <tr>
            <td colSpan={3} class="muted">
              and {whole.format(failuresOmitted)} more
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

export function TransferView() {
  const [stage, setStage] = useState<Stage>({ kind: 'idle' });
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const take = async (file: File | undefined) => {
    if (!file) return;
    setStage({ kind: 'checking', file });
    try {
      setStage(await check(file));
    } catch (error) {
      setStage({ kind: 'failed', file, message: (error as Error).message });
    }
  };

  const send = async (file: File, format: string, valid: number) => {
    const zero = { rows: 0, created: 0, skipped: 0, failed: 0, throttled: 0, elapsedMs: 0 };
    setStage({ kind: 'importing', file, format, valid, counts: zero });
    try {
      const response = await fetch(importUrl(file, false), {
        method: 'POST',
        body: file,
        headers: { 'content-type': 'application/octet-stream' },
      });
      if (!response.ok) throw new Error(`the console answered ${response.status}`);
      for await (const event of events(response)) {
        if (event.type === 'progress')
          setStage({ kind: 'importing', file, format, valid, counts: event as unknown as Counts });
        else if (event.type === 'done') setStage({ kind: 'imported', file, summary: event.summary as Summary });
        else if (event.type === 'error') setStage({ kind: 'failed', file, message: String(event.message) });
      }
    } catch (error) {
      setStage({ kind: 'failed', file, message: (error as Error).message });
    }
  };

  const busy = stage.kind === 'checking' || stage.kind === 'importing';
  return (
    <div class="transfer">
      <section class="card" aria-labelledby="import-title">
        <h1 id="import-title">Import</h1>
        <div
          class={`dropzone${over ? ' over' : ''}`}
          onDragOver={(event) => {
            event.preventDefault();
            setOver(true);
          }}
          onDragLeave={() => setOver(false)}
          onDrop={(event) => {
            event.preventDefault();
            setOver(false);
            void take(event.dataTransfer?.files[0]);
          }}
        >
          <p>
            <strong>Drop a CSV, NDJSON or JSON file here</strong>
          </p>
          <p class="muted">
            Every row is checked by the API's rules before anything is sent. Ids that exist already are skipped.
          </p>
          <label class="button" for="import-file">
            Choose a file…
          </label>
          <input
            id="import-file"
            ref={input}
            class="file-input"
            type="file"
            accept=".csv,.ndjson,.jsonl,.json,text/csv,application/json"
            disabled={busy}
            onChange={(event) => void take((event.target as HTMLInputElement).files?.[0])}
          />
        </div>
        <div aria-live="polite" class="import-state">
          {stage.kind === 'checking' && <p>Checking {stage.file.name}…</p>}
          {stage.kind === 'checked' && (
            <>
              <p class="summary">
                <strong>{stage.file.name}</strong> ({stage.format}): {whole.format(stage.summary.rows)} rows,{' '}
                <span class="good">{whole.format(stage.summary.valid)} valid</span>
                {stage.summary.failed > 0 && (
                  <>
                    , <span class="bad">{whole.format(stage.summary.failed)} with errors</span>
                  </>
                )}
                . Nothing has been sent yet.
              </p>
              {stage.summary.stoppedAt && (
                <p class="banner error">
                  Reading stopped at line {stage.summary.stoppedAt.line}: {stage.summary.stoppedAt.reason}
                </p>
              )}
              <Failures summary={stage.summary} caption="Rows that will not be imported" />
              <div class="actions start">
                <button
                  type="button"
                  class="primary"
                  disabled={stage.summary.valid === 0}
                  onClick={() => void send(stage.file, stage.format, stage.summary.valid)}
                >
                  Import {whole.format(stage.summary.valid)} valid {stage.summary.valid === 1 ? 'row' : 'rows'}
                </button>
                <button type="button" onClick={() => setStage({ kind: 'idle' })}>
                  Cancel
                </button>
              </div>
            </>
          )}
          {stage.kind === 'importing' && (
            <>
              <progress
                max={stage.valid}
                value={stage.counts.created + stage.counts.skipped}
                aria-label={`Importing ${stage.file.name}`}
              />
              <p class="counts">
                {whole.format(stage.counts.created)} created · {whole.format(stage.counts.skipped)} skipped ·{' '}
                {whole.format(stage.counts.failed)} failed
                {stage.counts.throttled > 0 &&
                  ` · ${whole.format(stage.counts.throttled)} throttled, sent again at the API's pace`}
                {stage.counts.elapsedMs > 500 &&
                  ` · ${whole.format(Math.round((stage.counts.rows * 1000) / stage.counts.elapsedMs))} rows/s`}
              </p>
            </>
          )}
          {stage.kind === 'imported' && (
            <>
              <p class="summary" role="status">
                Imported <strong>{stage.file.name}</strong> in {(stage.summary.durationMs / 1000).toFixed(1)} s:{' '}
                <span class="good">{whole.format(stage.summary.created)} created</span>,{' '}
                {whole.format(stage.summary.skipped)} skipped (id exists),{' '}
                <span class={stage.summary.failed > 0 ? 'bad' : undefined}>
                  {whole.format(stage.summary.failed)} failed
                </span>
                {stage.summary.throttled > 0 &&
                  `; ${whole.format(stage.summary.throttled)} throttled requests were sent again`}
                .
              </p>
              <Failures summary={stage.summary} caption="Rows not imported" />
            </>
          )}
          {stage.kind === 'failed' && (
            <p class="banner error" role="alert">
              {stage.file ? `${stage.file.name}: ` : ''}
              {stage.message}
            </p>
          )}
        </div>
      </section>
      <section class="card" aria-labelledby="export-title">
        <h1 id="export-title">Export</h1>
        <p class="muted">
          Every product, read page by page. NDJSON imports back as is; CSV has the columns import reads.
        </p>
        <div class="actions start">
          <a class="button" href="/console/export?format=ndjson" download>
            Download NDJSON
          </a>
          <a class="button" href="/console/export?format=csv" download>
            Download CSV
          </a>
        </div>
      </section>
    </div>
  );
}
