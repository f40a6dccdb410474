/** CloudWatch Logs: log groups, and events that become visible to FilterLogEvents after an ingestion delay. */
import {
  type FilteredLogEvent,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import { type FakeCore, type Handlers, meta } from './core.js';

/** An event as written: FilterLogEvents returns it from `ingestionTime` on. */
type StoredEvent = FilteredLogEvent & { timestamp: number; message: string; ingestionTime?: number };

export interface LogGroupRecord {
  name: string;
  retention?: number;
  tags: Record<string, string>;
  events: StoredEvent[];
}

function groupOrThrow(aws: FakeCore, name: string | undefined): LogGroupRecord {
  const group = aws.logGroups.get(name ?? '');
  if (!group) throw new ResourceNotFoundException({ message: 'The specified log group does not exist.', ...meta });
  return group;
}

/** The group an ARN `arn:aws:logs:…:log-group:NAME` names. */
function groupOfArn(aws: FakeCore, arn: string | undefined): LogGroupRecord {
  return groupOrThrow(aws, String(arn).split(':log-group:')[1] ?? '');
}

/** Writes a log event stamped `timestamp` that FilterLogEvents returns from `timestamp + delayMs` on. */
export function putLogEvent(aws: FakeCore, group: string, message: string, timestamp: number, delayMs: number): void {
  const events = groupOrThrow(aws, group).events;
  events.push({
    eventId: `e${events.length + 1}`,
    logStreamName: '2026/01/01/[$LATEST]abc',
    timestamp,
    ingestionTime: timestamp + delayMs,
    message,
  });
}

export function logsHandlers(aws: FakeCore) {
  return {
    CreateLogGroup(input) {
      const name = input.logGroupName ?? '';
      if (aws.logGroups.has(name))
        throw new ResourceAlreadyExistsException({ message: 'The specified log group already exists', ...meta });
      aws.logGroups.set(name, { name, tags: { ...(input.tags ?? {}) }, events: [] });
    },

    DescribeLogGroups(input) {
      const groups = [...aws.logGroups.values()].filter((g) => g.name.startsWith(input.logGroupNamePrefix ?? ''));
      return {
        logGroups: groups.map((g) => ({
          logGroupName: g.name,
          arn: `arn:aws:logs:${aws.region}:${aws.accountId}:log-group:${g.name}:*`,
          ...(g.retention ? { retentionInDays: g.retention } : {}),
        })),
      };
    },

    PutRetentionPolicy(input) {
      groupOrThrow(aws, input.logGroupName).retention = input.retentionInDays;
    },

    ListTagsForResource(input) {
      return { tags: { ...groupOfArn(aws, input.resourceArn).tags } };
    },

    TagResource(input) {
      Object.assign(groupOfArn(aws, input.resourceArn).tags, input.tags);
    },

    DeleteLogGroup(input) {
      aws.logGroups.delete(groupOrThrow(aws, input.logGroupName).name);
    },

    FilterLogEvents(input) {
      const group = groupOrThrow(aws, input.logGroupName);
      const term = typeof input.filterPattern === 'string' ? input.filterPattern.replace(/^"|"$/g, '') : '';
      const now = aws.clock.now();
      const events = group.events
        .filter(
          (e) =>
            (e.ingestionTime ?? e.timestamp) <= now &&
            e.timestamp >= (input.startTime ?? 0) &&
            (!term || e.message.includes(term)),
        )
        .sort((a, b) => a.timestamp - b.timestamp)
        .map(({ ingestionTime: _ingested, ...e }) => e);
      return { events };
    },
  } satisfies Handlers<'logs'>;
}
