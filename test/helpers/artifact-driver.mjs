// Run under another Node binary by the artifact's tests: imports index.mjs from the unpacked dist/handler.zip
// and hands it each event of a JSON file in turn, as Lambda does, writing the results to another JSON file.
// The handler's own log lines go to stdout, as on Lambda.
//   node artifact-driver.mjs <unpacked dir> <events.json> <results.json>
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dir, eventsFile, resultsFile] = process.argv.slice(2);
const { handler } = await import(pathToFileURL(join(dir, 'index.mjs')).href);
const results = [];
for (const event of JSON.parse(readFileSync(eventsFile, 'utf8'))) {
  results.push(await handler(event, { awsRequestId: event.requestContext.requestId }));
}
writeFileSync(resultsFile, JSON.stringify({ node: process.version, results }));
