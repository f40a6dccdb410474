// Load for the peers bench: GET <base>/product/p<random 0..items-1> over `connections` keep-alive connections
// for `seconds`, every answer checked (status 200 and a body naming a seeded product). Uses wrk when it is on
// the PATH (C, so the load costs this 2-core class of machine little), else undici from this process, whose
// own CPU then competes with the targets and narrows the gaps between them; the result says which.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { reason, tally } from './figures.mjs';

/** True when `wrk` runs here. */
export function hasWrk() {
  return spawnSync('wrk', ['--version'], { encoding: 'utf8' }).error === undefined;
}

// wrk's own error counts say nothing of a 200 with the wrong body, so each answer is checked in Lua.
const WRK_SCRIPT = `
local items = tonumber(os.getenv("PEERS_ITEMS"))
local base = os.getenv("PEERS_PATH")
local threads = {}
good, wrong = 0, 0
setup = function(thread) table.insert(threads, thread) end
init = function() math.randomseed(os.time() + math.floor(os.clock() * 1e6)) end
request = function() return wrk.format("GET", base .. "/product/p" .. math.random(0, items - 1)) end
response = function(status, headers, body)
  if status == 200 and string.find(body, '"id":"p', 1, true) then good = good + 1 else wrong = wrong + 1 end
end
done = function(summary, latency, requests)
  local g, w = 0, 0
  for _, t in ipairs(threads) do g = g + t:get("good"); w = w + t:get("wrong") end
  local e = summary.errors
  io.write(string.format('JSON {"good":%d,"wrong":%d,"socketErrors":%d,"seconds":%.3f,"p50ms":%.3f,"p99ms":%.3f}\\n',
    g, w, e.connect + e.read + e.write + e.timeout, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
`;

let wrkScript;
let running;
// The Lua file lives in a folder of its own, removed when this process exits.
function wrkScriptFile() {
  if (wrkScript) return wrkScript;
  const dir = mkdtempSync(join(tmpdir(), 'products-cli-wrk-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  wrkScript = join(dir, 'check.lua');
  writeFileSync(wrkScript, WRK_SCRIPT);
  return wrkScript;
}

/** Stops the wrk run in progress, if any (on Ctrl-C or SIGTERM of the bench). */
export function stopLoad() {
  running?.kill('SIGTERM');
}

// Asynchronous, so that the bench's signal handlers run while wrk does.
function wrkLoad(base, { seconds, connections, items }) {
  const url = new URL(base);
  const child = spawn(
    'wrk',
    [`-t2`, `-c${connections}`, `-d${seconds}s`, '--latency', '-s', wrkScriptFile(), url.origin],
    {
      env: { ...process.env, PEERS_ITEMS: String(items), PEERS_PATH: url.pathname },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  running = child;
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', () => {
      if (running === child) running = undefined;
      const line = stdout.split('\n').find((l) => l.startsWith('JSON '));
      if (!line) return reject(new Error(`wrk printed no result: ${(stderr || stdout).trim().split('\n')[0]}`));
      const r = JSON.parse(line.slice(5));
      const answers = tally();
      answers.ok = r.good;
      for (let i = 0; i < r.wrong; i++) answers.record('not 200 with a product');
      for (let i = 0; i < r.socketErrors; i++) answers.record('socket error');
      resolve({ rate: r.good / r.seconds, p50ms: r.p50ms, p99ms: r.p99ms, answers });
    });
  });
}

/**
 * Sends `request()` (undici request options) over `connections` keep-alive connections for `seconds`; each
 * answer goes through `check(status, text)` (true, or why not). Resolves with the rate of good answers, the
 * latency percentiles, the tally and the first good body.
 */
export async function undiciLoad(origin, { seconds, connections, request, check }) {
  const require = createRequire(import.meta.url);
  const hdr = require('hdr-histogram-js');
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  const pool = new Pool(origin, { connections, pipelining: 1 });
  const answers = tally();
  let sample;
  const deadline = performance.now() + seconds * 1000;
  const loop = async () => {
    while (performance.now() < deadline) {
      const sent = performance.now();
      try {
        const { statusCode, body } = await pool.request(request());
        const text = await body.text();
        const verdict = check(statusCode, text);
        answers.record(verdict);
        if (verdict === true) sample ??= text;
        histogram.recordValue(Math.max(1, Math.round((performance.now() - sent) * 1000)));
      } catch (error) {
        answers.record(reason(error));
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: connections }, loop));
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  return {
    rate: answers.ok / elapsed,
    p50ms: histogram.getValueAtPercentile(50) / 1000,
    p99ms: histogram.getValueAtPercentile(99) / 1000,
    answers,
    sample,
  };
}

function productLoad(base, { seconds, connections, items }) {
  const url = new URL(base);
  const request = () => ({ method: 'GET', path: `${url.pathname}/product/p${Math.floor(Math.random() * items)}` });
  const check = (status, text) =>
    status !== 200 ? `status ${status}` : text.includes('"id":"p') ? true : 'not a product';
  return undiciLoad(url.origin, { seconds, connections, request, check });
}

/** One timed load of `base`; resolves with {rate, p50ms, p99ms, answers}. */
export function load(base, options) {
  return options.wrk ? wrkLoad(base, options) : productLoad(base, options);
}
