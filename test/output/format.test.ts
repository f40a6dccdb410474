// Label-and-value blocks (setup's and status's local reports) keep their values in one column, whatever the labels.
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { renderSetupLocal } from '../../src/commands/setup/index.js';
import { labelledRows } from '../../src/output/format.js';

const plain = new Chalk({ level: 0 });

describe('labelledRows', () => {
  it('starts every value two spaces after the longest label', () => {
    expect(
      labelledRows([
        ['a', '1'],
        ['longer', '2'],
      ]),
    ).toEqual(['  a       1', '  longer  2']);
  });
});

describe("setup --local's report", () => {
  it('aligns the credentials row with the others', () => {
    const text = renderSetupLocal(
      {
        target: 'local',
        status: 'started',
        url: 'http://127.0.0.1:3000/prod',
        port: 3000,
        stage: 'prod',
        pid: 42,
        dynamodbEndpoint: 'http://127.0.0.1:4567',
        dataDir: '/tmp/data',
        log: '/tmp/stack.log',
        stateFile: '/tmp/state.json',
        auth: { mode: 'iam', privateReads: false },
        corsOrigins: ['https://shop.example'],
        credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'secret' },
        region: 'us-east-1',
      },
      plain,
    );
    const rows = text.split('\n').slice(1, text.split('\n').indexOf(''));

    expect(rows.map((row) => row.trim().split(/\s{2,}/)[0])).toEqual([
      'invoke URL',
      'pid',
      'DynamoDB',
      'log',
      'state',
      'auth',
      'credentials',
      'CORS',
    ]);
    // Where each value starts: after the label and its run of two or more spaces.
    expect(new Set(rows.map((row) => row.length - row.slice(2).replace(/^.*?\s{2,}/, '').length))).toEqual(
      new Set([2 + 'credentials'.length + 2]),
    );
  });
});
