// The shared flags: each parser hands the command its final value, one stage rule for AWS and the local stack,
// and the renamed flags of setup and local still accepted under their old spellings, with a notice.
import { describe, expect, it } from 'vitest';
import { FLAG } from '../../src/cli/option-sets.js';
import { UsageError } from '../../src/errors.js';
import { startLocalStack } from '../../src/local/stack.js';
import { parseCommandLine } from './helpers/command-line.js';

describe('the flag parsers', () => {
  it('give numbers, durations in ms and checked names', () => {
    expect(FLAG.port('8080')).toBe(8080);
    expect(FLAG.functionTimeout('20')).toBe(20_000);
    expect(FLAG.integrationTimeout('2.5')).toBe(2_500);
    expect(FLAG.integrationTimeout('500ms')).toBe(500);
    expect(FLAG.functionConcurrency('4')).toBe(4);
    expect(FLAG.auth('none')).toBe('none');
    expect(FLAG.stage('dev_1')).toBe('dev_1');
  });

  it.each([
    [
      's'.repeat(79),
      "--stage is 79 characters; at most 78 fit in the function's permission statement ids (Lambda allows 100)",
    ],
    ['no/slash', '--stage "no/slash" is not a valid stage name: use letters, digits, hyphens or underscores'],
    [
      'test-invoke-stage',
      "--stage test-invoke-stage is the stage of the API Gateway console's Test button; pick another name",
    ],
  ])('refuse the stage %j with the rule setup applies on AWS', (stage, message) => {
    expect(() => FLAG.stage(stage)).toThrow(new UsageError(message));
  });

  it('hand setup the alarm flags as typed values, every address kept, and refuse a bad one naming the flag', async () => {
    const { opts } = await parseCommandLine('setup', [
      '--alarm-email',
      'a@example.com',
      '--alarm-email',
      'b@example.com',
      '--alarm-5xx',
      '2.5',
      '--alarm-p99',
      '400',
      '--alarm-throttles',
      '3',
    ]);
    expect(opts).toMatchObject({
      alarmEmail: ['a@example.com', 'b@example.com'],
      alarm5xx: 2.5,
      alarmP99: 400,
      alarmThrottles: 3,
    });
    await expect(parseCommandLine('setup', ['--alarm-email', 'nobody'])).rejects.toThrow(
      '--alarm-email "nobody" is not an email address',
    );
    await expect(parseCommandLine('setup', ['--alarm-4xx', '101'])).rejects.toThrow(
      '--alarm-4xx must be a percentage above 0 and at most 100, not "101"',
    );
    await expect(parseCommandLine('template', ['--alarm-errors', '0.5'])).rejects.toThrow(
      '--alarm-errors must be a whole number, at least 1, not "0.5"',
    );
  });

  it('accept the longest stage that fits', () => {
    expect(FLAG.stage('s'.repeat(78))).toHaveLength(78);
  });

  it('are the rule the local stack applies too, before it starts anything', async () => {
    await expect(startLocalStack({ port: 0, stage: 's'.repeat(79) })).rejects.toThrow(/at most 78 fit/);
  });
});

describe('renamed flags of setup and local', () => {
  it.each([
    ['setup', '--timeout', '--function-timeout', '20', { functionTimeout: 20_000 }],
    ['local', '--timeout', '--function-timeout', '5', { functionTimeout: 5_000 }],
    ['setup', '--concurrency', '--function-concurrency', '4', { functionConcurrency: 4 }],
    ['local', '--concurrency', '--function-concurrency', '8', { functionConcurrency: 8 }],
  ])('%s %s is %s, with a one-line notice', async (command, old, renamed, value, expected) => {
    const current = await parseCommandLine(command, [renamed, value]);
    const deprecated = await parseCommandLine(command, [old, value]);

    expect(current.opts).toMatchObject(expected);
    expect(current.opts).not.toHaveProperty(old.slice(2));
    expect(current.notices).toEqual([]);
    expect(deprecated.opts).toEqual(current.opts);
    expect(deprecated.opts).not.toHaveProperty(old.slice(2));
    expect(deprecated.notices).toEqual([`${old} is deprecated for ${command}: use ${renamed} (the same value)`]);
  });

  it('name the old spelling when its value is bad', async () => {
    await expect(parseCommandLine('setup', ['--timeout', '30'])).rejects.toThrow(
      '--timeout must be a whole number of seconds from 1 to 29 (API Gateway gives up after 29 s), not "30"',
    );
    await expect(parseCommandLine('local', ['--concurrency', '0'])).rejects.toThrow(
      '--concurrency must be a whole number of execution environments from 1 to 64, not "0"',
    );
  });

  it('refuse both spellings at once', async () => {
    await expect(parseCommandLine('local', ['--function-timeout', '5', '--timeout', '6'])).rejects.toThrow(
      new UsageError('--function-timeout and --timeout are the same flag; give --function-timeout only'),
    );
  });

  it('leave --timeout and --concurrency of the other commands as they were', async () => {
    const imported = await parseCommandLine('import', ['rows.csv', '--concurrency', '3', '--timeout', '30']);

    expect(imported.opts).toMatchObject({ concurrency: 3, timeout: '30' });
    expect(imported.notices).toEqual([]);
  });
});
