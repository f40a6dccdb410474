/**
 * Batch writes: many products created or deleted in one request, each item answered on its own, so that one bad
 * row never fails the others. The limits keep a whole batch far inside what the platform allows: API Gateway's
 * 10 MB payload, Lambda's 6 MB synchronous request and response, API Gateway's 29 s integration timeout.
 */
import type { FieldError } from './product.js';

/** The most items one batch request may carry. */
export const BATCH_MAX_ITEMS = 1000;
/** The largest batch body, in bytes: a third of Lambda's 6 MB synchronous payload (base64 adds a third). */
export const BATCH_MAX_BODY_BYTES = 2 * 1024 * 1024;

/** What happened to one item of a batch create. */
export type BatchCreateOutcome = 'created' | 'exists' | 'invalid' | 'throttled';
/** What happened to one id of a batch delete. */
export type BatchDeleteOutcome = 'deleted' | 'notFound' | 'invalid' | 'throttled';

export const BATCH_CREATE_OUTCOMES: readonly BatchCreateOutcome[] = ['created', 'exists', 'invalid', 'throttled'];
export const BATCH_DELETE_OUTCOMES: readonly BatchDeleteOutcome[] = ['deleted', 'notFound', 'invalid', 'throttled'];

/** One item's answer: its place in the request, its id (when it has one) and its outcome. */
export interface BatchItemResult<Outcome extends string> {
  index: number;
  id?: string;
  outcome: Outcome;
  /** For `invalid`: each field and the rule it breaks, as POST names them. */
  errors?: FieldError[];
}

/** The answer to a batch: every item's result in request order, and how many had each outcome. */
export interface BatchAnswer<Outcome extends string> {
  results: BatchItemResult<Outcome>[];
  counts: Record<Outcome, number>;
}

export type BatchCreateAnswer = BatchAnswer<BatchCreateOutcome>;
export type BatchDeleteAnswer = BatchAnswer<BatchDeleteOutcome>;

/** Counts each outcome of `results`, every outcome of `outcomes` present (0 when none). */
export function countOutcomes<Outcome extends string>(
  results: readonly BatchItemResult<Outcome>[],
  outcomes: readonly Outcome[],
): Record<Outcome, number> {
  const counts = Object.fromEntries(outcomes.map((outcome) => [outcome, 0])) as Record<Outcome, number>;
  for (const result of results) counts[result.outcome] += 1;
  return counts;
}

/** The request bodies' envelope: `{"items": [...]}` for a create, `{"ids": [...]}` for a delete. */
export function readBatchEnvelope(
  body: unknown,
  key: 'items' | 'ids',
): { ok: true; list: unknown[] } | { ok: false; errors: FieldError[] } {
  const list =
    typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>)[key]
      : undefined;
  if (!Array.isArray(list)) return { ok: false, errors: [{ field: key, message: 'must be an array' }] };
  if (list.length < 1 || list.length > BATCH_MAX_ITEMS)
    return { ok: false, errors: [{ field: key, message: `must hold 1 to ${BATCH_MAX_ITEMS} entries` }] };
  const extra = Object.keys(body as object).filter((field) => field !== key);
  if (extra.length > 0)
    return { ok: false, errors: extra.map((field) => ({ field, message: `is not a known field (allowed: ${key})` })) };
  return { ok: true, list };
}

/** JSON Schemas of the batch bodies and answers, for the OpenAPI document. */
export function batchSchemas(ref: (name: string) => unknown): Record<string, unknown> {
  const answer = (outcomes: readonly string[], description: string) => ({
    type: 'object',
    description,
    properties: {
      results: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            index: { type: 'integer', minimum: 0, description: 'The item’s place in the request, from 0.' },
            id: { type: 'string' },
            outcome: { type: 'string', enum: outcomes },
            errors: {
              type: 'array',
              items: ref('FieldError'),
              description: 'For `invalid`: each field and the rule it breaks.',
            },
          },
          required: ['index', 'outcome'],
        },
      },
      counts: {
        type: 'object',
        properties: Object.fromEntries(outcomes.map((outcome) => [outcome, { type: 'integer', minimum: 0 }])),
        required: outcomes,
      },
    },
    required: ['results', 'counts'],
  });
  return {
    ProductBatch: {
      type: 'object',
      description: `Up to ${BATCH_MAX_ITEMS} products to create (${BATCH_MAX_BODY_BYTES} bytes at most), each as POST /product takes one.`,
      properties: { items: { type: 'array', items: ref('ProductInput'), minItems: 1, maxItems: BATCH_MAX_ITEMS } },
      required: ['items'],
      additionalProperties: false,
    },
    ProductBatchAnswer: answer(
      BATCH_CREATE_OUTCOMES,
      '`created`; `exists` (the id was taken, nothing was written); `invalid` with the field errors; `throttled` (the table was busy: send it again).',
    ),
    IdBatch: {
      type: 'object',
      description: `Up to ${BATCH_MAX_ITEMS} product ids to delete.`,
      properties: { ids: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: BATCH_MAX_ITEMS } },
      required: ['ids'],
      additionalProperties: false,
    },
    IdBatchAnswer: answer(
      BATCH_DELETE_OUTCOMES,
      '`deleted`; `notFound`; `invalid` (not an id); `throttled` (the table was busy: send it again).',
    ),
  };
}
