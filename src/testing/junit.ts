/** JUnit XML, the report format that CI systems (GitHub Actions, GitLab, Jenkins) read test results from. */

export interface JUnitCase {
  name: string;
  status: 'pass' | 'fail' | 'skip';
  durationMs: number;
  /** For a failure: the one-line message and the longer text; for a skip: the reason. */
  message?: string;
  details?: string;
}

export interface JUnitSuite {
  name: string;
  /** The `classname` of each case. */
  className: string;
  timestamp: string;
  durationMs: number;
  properties?: Record<string, string>;
  cases: JUnitCase[];
}

/** Escapes text for an XML attribute or element, dropping the control characters XML 1.0 cannot hold. */
export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/** The suite as a JUnit XML document. */
export function toJUnitXml(suite: JUnitSuite): string {
  const failures = suite.cases.filter((c) => c.status === 'fail').length;
  const skipped = suite.cases.filter((c) => c.status === 'skip').length;
  const counts = `tests="${suite.cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds(suite.durationMs)}"`;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escapeXml(suite.name)}" ${counts}>`,
    `  <testsuite name="${escapeXml(suite.name)}" ${counts} timestamp="${escapeXml(suite.timestamp)}">`,
  ];
  const properties = Object.entries(suite.properties ?? {});
  if (properties.length > 0) {
    lines.push('    <properties>');
    for (const [name, value] of properties)
      lines.push(`      <property name="${escapeXml(name)}" value="${escapeXml(value)}"/>`);
    lines.push('    </properties>');
  }
  for (const testCase of suite.cases) {
    const open = `    <testcase classname="${escapeXml(suite.className)}" name="${escapeXml(testCase.name)}" time="${seconds(testCase.durationMs)}"`;
    if (testCase.status === 'pass') {
      lines.push(`${open}/>`);
    } else if (testCase.status === 'skip') {
      lines.push(`${open}>`, `      <skipped message="${escapeXml(testCase.message ?? '')}"/>`, '    </testcase>');
    } else {
      lines.push(
        `${open}>`,
        `      <failure message="${escapeXml(testCase.message ?? 'failed')}" type="CheckFailed">${escapeXml(testCase.details ?? '')}</failure>`,
        '    </testcase>',
      );
    }
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}
