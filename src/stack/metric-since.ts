/**
 * The lengths of time back a metrics report is offered for first (`metrics --since`, the console's period choice),
 * and the default; apart from metric-series.ts so that the console's page bundles these alone.
 */
export const SINCE_CHOICES = ['15m', '1h', '3h', '1d', '7d'] as const;
export const DEFAULT_SINCE = '1h';
