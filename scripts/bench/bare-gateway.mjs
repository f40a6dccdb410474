// The least any gateway written for Node can do per request here, for the peers bench to compare against: a
// node:http server that answers GET /<stage>/product/{id} with one GetItem through the function's own DynamoDB
// client (signed, keep-alive, consistent read), and nothing else: no proxy event, no handler, no worker, no
// validation. Its rate bounds what a local gateway running the handler over this engine can reach.
//
//   node scripts/bench/bare-gateway.mjs <engine endpoint> <stage>   (sends {url} over IPC when listening)
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const [endpoint, stage] = process.argv.slice(2);
const { createDynamoClient } = await import(
  pathToFileURL(join(root, 'build', 'handler', 'dynamo-client', 'client.js')).href
);
const client = createDynamoClient({
  target: { url: new URL(endpoint), region: 'us-east-1' },
  credentials: async () => ({ accessKeyId: 'local', secretAccessKey: 'local' }),
});
const prefix = `/${stage}/product/`;

const server = createServer((req, res) => {
  const id = req.url?.startsWith(prefix) ? decodeURIComponent(req.url.slice(prefix.length)) : undefined;
  const answer = (status, value) => {
    const body = JSON.stringify(value);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  if (req.method !== 'GET' || !id) return answer(404, { message: 'not found' });
  client.getItem({ TableName: 'product', Key: { id }, ConsistentRead: true }).then(
    ({ Item }) => (Item ? answer(200, Item) : answer(404, { message: 'not found' })),
    (error) => answer(500, { message: error.name }),
  );
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.send?.({ url: `http://127.0.0.1:${server.address().port}/${stage}` }));
process.on('SIGTERM', () => {
  client.destroy();
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
