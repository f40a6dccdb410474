import { describe, expect, it } from 'vitest';
import { escapeXml, toJUnitXml } from '../../src/testing/junit.js';
import { smokeJUnit } from '../../src/commands/smoke.js';
import type { SmokeReport } from '../../src/testing/smoke.js';

describe('toJUnitXml', () => {
  it('writes one testcase per case, with counts, times in seconds, failures and skips', () => {
    const xml = toJUnitXml({
      name: 'suite',
      className: 'pkg.suite',
      timestamp: '2026-01-01T00:00:00',
      durationMs: 1234.6,
      properties: { target: 'http://x/prod' },
      cases: [
        { name: 'a', status: 'pass', durationMs: 12 },
        {
          name: 'b <&>',
          status: 'fail',
          durationMs: 3.4567,
          message: 'expected "x"',
          details: 'expected: 1\nactual: 2',
        },
        { name: 'c', status: 'skip', durationMs: 0, message: 'needs a' },
      ],
    });
    expect(xml).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="suite" tests="3" failures="1" errors="0" skipped="1" time="1.235">',
        '  <testsuite name="suite" tests="3" failures="1" errors="0" skipped="1" time="1.235" timestamp="2026-01-01T00:00:00">',
        '    <properties>',
        '      <property name="target" value="http://x/prod"/>',
        '    </properties>',
        '    <testcase classname="pkg.suite" name="a" time="0.012"/>',
        '    <testcase classname="pkg.suite" name="b &lt;&amp;&gt;" time="0.003">',
        '      <failure message="expected &quot;x&quot;" type="CheckFailed">expected: 1\nactual: 2</failure>',
        '    </testcase>',
        '    <testcase classname="pkg.suite" name="c" time="0.000">',
        '      <skipped message="needs a"/>',
        '    </testcase>',
        '  </testsuite>',
        '</testsuites>',
        '',
      ].join('\n'),
    );
  });

  it('drops characters that XML 1.0 cannot hold', () => {
    expect(escapeXml('a\u0000b\u001bc\td\ne')).toBe('abc\td\ne');
  });

  it('maps a smoke report: a failure carries expected and actual', () => {
    const report: SmokeReport = {
      target: 'http://127.0.0.1:3000/prod',
      productId: 'smoke-1',
      passed: 0,
      failed: 1,
      skipped: 0,
      durationMs: 10,
      startedAt: '2026-01-01T00:00:00.000Z',
      interrupted: false,
      cleanup: { deleted: [], leftBehind: [] },
      checks: [{ name: 'create product', status: 'fail', durationMs: 10, expected: 'HTTP 201', actual: 'HTTP 500 {}' }],
    };
    expect(smokeJUnit(report)).toContain(
      '<failure message="expected HTTP 201" type="CheckFailed">expected: HTTP 201\nactual:   HTTP 500 {}</failure>',
    );
  });
});
