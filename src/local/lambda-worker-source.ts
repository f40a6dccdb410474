/** The code that runs inside each execution environment's worker thread. */

/** The offer cell's values besides an offered invocation's id: taken by the worker, or taken back by the pool. */
export const OFFER_TAKEN = -1;
export const OFFER_WITHDRAWN = -2;

// The runtime inside the worker: imports the module once, then serves invocations; results go through JSON,
// as Lambda serialises them (undefined becomes null, a Date a string).
export const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');
const errorOf = (error) => ({
  errorType: (error && error.name) || typeof error,
  errorMessage: (error && error.message) || String(error),
  stackTrace: error && typeof error.stack === 'string' ? error.stack.split('\\n').slice(1).map((l) => l.trim()) : [],
});
// The function's stdout and stderr: buffered and sent along with the next result (or on the next turn of the
// event loop), one message instead of one per line; dropped when nobody reads them.
let logs = '';
let flushScheduled = false;
const takeLogs = () => { const text = logs; logs = ''; return text; };
const flushLogs = () => { flushScheduled = false; if (logs !== '') parentPort.postMessage({ type: 'log', text: takeLogs() }); };
const write = (chunk, encoding, callback) => {
  if (workerData.captureLogs) {
    logs += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (!flushScheduled) { flushScheduled = true; setImmediate(flushLogs); }
  }
  const done = typeof encoding === 'function' ? encoding : callback;
  if (typeof done === 'function') process.nextTick(done);
  return true;
};
process.stdout.write = write;
process.stderr.write = write;
let handler;
const loaded = import(pathToFileURL(workerData.entry).href).then(
  (mod) => {
    handler = mod[workerData.exportName];
    if (typeof handler !== 'function') throw Object.assign(new Error(workerData.exportName + ' is not a function exported by ' + workerData.entry), { name: 'Runtime.HandlerNotFound' });
    parentPort.postMessage({ type: 'ready' });
  },
).catch((error) => parentPort.postMessage({ type: 'init-error', error: errorOf(error) }));
const offer = new Int32Array(workerData.offer);
const run = async ({ id, event, requestId }) => {
  const deadline = Date.now() + workerData.timeoutMs;
  const context = {
    awsRequestId: requestId,
    functionName: workerData.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:' + (process.env.AWS_REGION || 'us-east-1') + ':000000000000:function:' + workerData.functionName,
    memoryLimitInMB: '128',
    logGroupName: '/aws/lambda/' + workerData.functionName,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    const value = await handler(event, context);
    const json = JSON.stringify(value === undefined ? null : value);
    parentPort.postMessage({ type: 'result', id, json, logs: takeLogs() });
  } catch (error) {
    parentPort.postMessage({ type: 'error', id, error: errorOf(error), logs: takeLogs() });
  }
};
// One invocation at a time: the next starts when the previous is answered. An invocation offered ahead of time
// runs only if this worker takes the offer before the pool withdraws it (to give it to a worker free sooner).
const queue = [];
let serving = false;
const serve = async () => {
  serving = true;
  // An offer may arrive while the module is still loading.
  await loaded;
  while (queue.length > 0) {
    const message = queue.shift();
    if (message.cell !== undefined && Atomics.compareExchange(offer, message.cell, message.id, ${OFFER_TAKEN}) !== message.id) continue;
    await run(message);
  }
  serving = false;
};
parentPort.on('message', (message) => {
  queue.push(message);
  if (!serving) void serve();
});
`;
