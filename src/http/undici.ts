/**
 * The parts of undici the API client uses: a connection pool and its `request` method.
 *
 * undici's index module loads every dispatcher, interceptor, cache store, mock and WebSocket implementation,
 * which costs a one-shot command such as `products-cli get` about 60 ms of startup on a 2-core machine. The
 * pool and the request API alone cost a third of that, so they are loaded from their own modules, with the
 * package index as the fallback should a future undici move them.
 */
import { createRequire } from 'node:module';
import type { Dispatcher, Pool } from 'undici';

export interface UndiciParts {
  Pool: typeof Pool;
  /** `Dispatcher.prototype.request`, to be called with the pool as `this`. */
  request: Dispatcher['request'];
}

let parts: UndiciParts | undefined;

/** Loads the pool and the request API once, as cheaply as the installed undici allows. */
export function loadUndici(): UndiciParts {
  if (parts) return parts;
  const require = createRequire(import.meta.url);
  try {
    parts = {
      Pool: require('undici/lib/dispatcher/pool.js') as typeof Pool,
      request: require('undici/lib/api/api-request.js') as Dispatcher['request'],
    };
    if (typeof parts.Pool !== 'function' || typeof parts.request !== 'function')
      throw new Error('unexpected undici layout');
  } catch {
    const undici = require('undici') as typeof import('undici');
    parts = { Pool: undici.Pool, request: undici.Dispatcher.prototype.request };
  }
  return parts;
}
