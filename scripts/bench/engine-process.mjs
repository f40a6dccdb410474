// The DynamoDB engine (dynalite, in memory) in a process of its own, with the table `product` created, so that
// a bench measuring a client's CPU with process.cpuUsage() counts the client alone, never the engine.
//
//   const engine = await startEngineProcess(); ... engine.endpoint ... await engine.stop();
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);

/** Starts the engine in a child process; resolves with its endpoint once the table exists. */
export function startEngineProcess() {
  const child = fork(self, ['--serve'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the engine process exited with code ${code}`)));
    child.once('message', (message) => {
      if (message.error) return reject(new Error(message.error));
      resolve({
        endpoint: message.endpoint,
        pid: child.pid,
        /** CPU time the engine process has used so far, in µs (from /proc, Linux only; NaN elsewhere). */
        cpuMicros: () => engineCpuMicros(child.pid),
        stop: () =>
          new Promise((done) => {
            child.removeAllListeners('exit');
            child.once('exit', done);
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

async function engineCpuMicros(pid) {
  const { readFileSync } = await import('node:fs');
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime, in clock ticks (100 a second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return Number.NaN;
  }
}

async function serve() {
  const { default: dynalite } = await import('dynalite');
  const { DynamoDBClient, CreateTableCommand } = await import('@aws-sdk/client-dynamodb');
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${server.address().port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await client.send(
    new CreateTableCommand({
      TableName: 'product',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  client.destroy();
  process.send({ endpoint });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

if (process.argv[1] === self && process.argv.includes('--serve')) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  serve().catch((error) => {
    process.send?.({ error: error.message });
    process.exit(1);
  });
}
