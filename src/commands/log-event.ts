/** One log event as `logs` and `local` show it: from CloudWatch or the local stack's log, rendered readably. */
import type { Style } from '../output/style.js';

export interface LogEvent {
  timestamp: number;
  stream?: string;
  eventId?: string;
  message: string;
  /** The parsed JSON log line, when the message is one. */
  data?: Record<string, unknown>;
}

/** One event as a readable line: request lines as `time METHOD path status duration id`, platform lines briefly. */
export function renderLogEvent(event: LogEvent, style: Style): string {
  const time = style.dim(new Date(event.timestamp).toISOString().replace('T', ' ').replace('Z', ''));
  const d = event.data;
  if (d && d.message === 'request' && typeof d.method === 'string') {
    const status = Number(d.status);
    const colour = status >= 500 ? style.red : status >= 400 ? style.yellow : style.green;
    const error =
      d.error && typeof d.error === 'object'
        ? ` ${style.red(`${(d.error as { name?: string }).name ?? 'Error'}: ${(d.error as { message?: string }).message ?? ''}`)}`
        : '';
    return `${time} ${String(d.method).padEnd(6)} ${String(d.path ?? d.resource ?? '')} ${colour(String(status))} ${style.dim(`${d.durationMs ?? '?'} ms`)} ${style.dim(String(d.requestId ?? ''))}${error}`;
  }
  if (d && typeof d.type === 'string' && d.type.startsWith('platform.')) {
    const record = (d.record ?? {}) as {
      requestId?: string;
      metrics?: { durationMs?: number; billedDurationMs?: number; maxMemoryUsedMB?: number; initDurationMs?: number };
    };
    if (d.type === 'platform.report' && record.metrics) {
      const m = record.metrics;
      return `${time} ${style.dim(`REPORT ${record.requestId ?? ''} ${m.durationMs ?? '?'} ms (billed ${m.billedDurationMs ?? '?'} ms), ${m.maxMemoryUsedMB ?? '?'} MB${m.initDurationMs ? `, init ${m.initDurationMs} ms` : ''}`)}`;
    }
    const took = record.metrics?.durationMs === undefined ? '' : ` ${record.metrics.durationMs} ms`;
    return `${time} ${style.dim(`${d.type.slice('platform.'.length).toUpperCase()}${record.requestId ? ` ${record.requestId}` : ''}${took}`)}`;
  }
  if (d && typeof d.level === 'string' && typeof d.message === 'string') {
    const level =
      d.level === 'ERROR' ? style.red(d.level) : d.level === 'WARN' ? style.yellow(d.level) : style.dim(d.level);
    return `${time} ${level} ${d.message}`;
  }
  return `${time} ${event.message}`;
}

/** What `logs --follow` says, once, when nothing has come yet: that it waits for new events. */
export function waitingNotice(source: string, since: number, filter: string | undefined): string {
  return `no events in ${source} since ${new Date(since).toISOString()}${filter ? ` matching ${filter}` : ''} yet; waiting for new ones (Ctrl-C to stop)…`;
}
