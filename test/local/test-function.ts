/** A small function bundle, zipped as the real artifact is, whose behaviour is chosen by the `{id}` in the path. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';

const SOURCE = `
let invocations = 0;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const handler = async (event, context) => {
  invocations += 1;
  switch (event.pathParameters && event.pathParameters.id) {
    case 'throw': throw new Error('the function broke');
    case 'object-body': return { statusCode: 200, body: { not: 'a string' } };
    case 'no-status': return { body: 'x' };
    case 'undefined': return undefined;
    case 'extra-key': return { statusCode: 200, body: '', cookies: ['a=1'] };
    case 'slow': await sleep(60000); return { statusCode: 200, body: 'late' };
    case 'loop': for (;;) {}
    case 'crash':
      setImmediate(() => { throw new Error('thrown outside the promise'); });
      return new Promise(() => {});
    case 'counter': return { statusCode: 200, body: String(invocations) };
    case 'delay': await sleep(1500); return { statusCode: 200, body: 'done ' + event.requestContext.requestId };
    case 'proto-headers':
      return { statusCode: 200, headers: JSON.parse('{"constructor":"c","toString":"t","__proto__":"p"}'), body: 'ok' };
    case 'binary':
      return { statusCode: 200, headers: { 'Content-Type': 'application/octet-stream' }, body: Buffer.from([0, 1, 254, 255]).toString('base64'), isBase64Encoded: true };
    case 'cookies':
      return { statusCode: 200, headers: { 'X-Single': 'one', 'Set-Cookie': 'ignored=1' }, multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] }, body: 'ok' };
    case 'env':
      return { statusCode: 200, body: JSON.stringify({ table: process.env.TABLE_NAME, endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB, region: process.env.AWS_REGION, hasKey: Boolean(process.env.AWS_ACCESS_KEY_ID) }) };
    default:
      console.log('echo ' + event.requestContext.requestId);
      return { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ event, remainingMs: context.getRemainingTimeInMillis(), requestId: context.awsRequestId }) };
  }
};
`;

/** Writes the test function's zip into a fresh temporary directory and returns its path. */
export async function writeTestFunctionZip(source: string = SOURCE): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'products-cli-test-fn-'));
  const zipPath = join(dir, 'handler.zip');
  await writeFile(zipPath, zipSync({ 'index.mjs': strToU8(source) }));
  return zipPath;
}
