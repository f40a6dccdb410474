/**
 * The CloudWatch alarms, with their topic: ensured, inspected and removed by name.
 * An alarm or topic of our names that lacks this stack's tag is someone else's: setup refuses it (see adopt.ts)
 * and teardown keeps it.
 */
import {
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  ListTagsForResourceCommand,
  PutMetricAlarmCommand,
  type MetricAlarm,
  type PutMetricAlarmCommandInput,
} from '@aws-sdk/client-cloudwatch';
import { DeleteTopicCommand } from '@aws-sdk/client-sns';
import { errorName, isNotFound, translateAwsError } from '../aws/errors.js';
import { AwsError } from '../errors.js';
import { alarmInput, type AlarmSpec } from './alarm-spec.js';
import { ensureTopic, getTopic, PENDING, PENDING_DETAIL, send, subscriptionsOf } from './alarm-topic.js';
import type { ProvisionContext, StepResult } from './context.js';
import { describeStack } from './description.js';
import { isOurs, notOursDetail, STACK_TAG, tagList, tagMap } from './names.js';

/** Every alarm of our names that exists, with its tags. */
export async function findAlarms(
  ctx: ProvisionContext,
): Promise<Array<{ alarm: MetricAlarm; tags: Record<string, string> }>> {
  const names = describeStack(ctx).alarms.alarms.map((a) => a.name);
  const out = await send('cloudwatch:DescribeAlarms', () =>
    ctx.clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names, AlarmTypes: ['MetricAlarm'] })),
  );
  return Promise.all(
    (out.MetricAlarms ?? []).map(async (alarm) => {
      const tags = await send('cloudwatch:ListTagsForResource', () =>
        ctx.clients.cloudwatch.send(new ListTagsForResourceCommand({ ResourceARN: alarm.AlarmArn })),
      );
      return { alarm, tags: tagMap(tags.Tags) };
    }),
  );
}

/** What differs between an alarm as it is and as setup makes it, in words; empty when nothing does. */
export function alarmDrift(alarm: MetricAlarm, wanted: Omit<PutMetricAlarmCommandInput, 'Tags'>): string[] {
  const drift: string[] = [];
  if (alarm.Threshold !== wanted.Threshold) drift.push(`threshold ${alarm.Threshold}, not ${wanted.Threshold}`);
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  const metrics = (list: PutMetricAlarmCommandInput['Metrics']) =>
    (list ?? []).map((m) => ({
      Id: m.Id,
      Expression: m.Expression,
      ReturnData: m.ReturnData ?? true,
      Stat: m.MetricStat?.Stat,
      Period: m.MetricStat?.Period,
      Metric: m.MetricStat?.Metric?.MetricName,
      Namespace: m.MetricStat?.Metric?.Namespace,
      Dimensions: m.MetricStat?.Metric?.Dimensions?.map((d) => `${d.Name}=${d.Value}`).sort(),
    }));
  if (!same(metrics(alarm.Metrics), metrics(wanted.Metrics))) drift.push('metrics');
  for (const key of [
    'ComparisonOperator',
    'EvaluationPeriods',
    'DatapointsToAlarm',
    'TreatMissingData',
    'AlarmDescription',
    'ActionsEnabled',
  ] as const) {
    if (!same(alarm[key], wanted[key]))
      drift.push(key === 'AlarmDescription' ? 'description' : `${key} ${String(alarm[key])}`);
  }
  if (
    !same([...(alarm.AlarmActions ?? [])].sort(), wanted.AlarmActions) ||
    !same([...(alarm.OKActions ?? [])].sort(), wanted.OKActions)
  )
    drift.push('actions');
  return drift;
}

/** Creates or corrects one alarm (PutMetricAlarm overwrites an alarm's settings and keeps its state). */
export async function ensureAlarm(
  ctx: ProvisionContext,
  spec: AlarmSpec,
  topic: string,
  existing: MetricAlarm | undefined,
): Promise<StepResult> {
  const base = { resource: 'alarm', name: spec.name };
  const input = alarmInput(spec, topic);
  const drift = existing ? alarmDrift(existing, input) : [];
  if (existing && drift.length === 0) return { ...base, outcome: 'unchanged' };
  // Tags count only when the alarm is created; an update ignores them.
  await send('cloudwatch:PutMetricAlarm', () =>
    ctx.clients.cloudwatch.send(new PutMetricAlarmCommand({ ...input, Tags: tagList(describeStack(ctx).tags) })),
  );
  return existing
    ? { ...base, outcome: 'updated', detail: `updated ${drift.join(', ')}` }
    : {
        ...base,
        outcome: 'created',
        detail: `${spec.comparison === 'GreaterThanThreshold' ? '>' : '≥'} ${spec.threshold}`,
      };
}

/** The topic, then every alarm. Without `--alarm-email`, removes the ones an earlier setup made. */
export async function ensureAlarms(
  ctx: ProvisionContext,
  step: (label: string, run: () => Promise<StepResult>) => Promise<StepResult>,
): Promise<StepResult[]> {
  const stack = describeStack(ctx);
  if (!stack.alarms.wanted) {
    // Only a topic setup recorded tells of alarms to remove; teardown looks by name either way.
    if (!ctx.recorded.alarmTopic) return [];
    const removed = await removeAlarms(ctx);
    return removed.filter((s) => s.outcome !== 'absent');
  }
  const topic = (await step(`alarm topic ${stack.alarms.topic.name}`, () => ensureTopic(ctx))) as StepResult & {
    arn: string;
  };
  const existing = await findAlarms(ctx);
  const foreign = existing.filter((e) => !isOurs(e.tags, stack));
  if (foreign.length)
    throw new AwsError(
      `alarm ${foreign.map((f) => f.alarm.AlarmName).join(', ')} already exists and is not this stack's (no ${STACK_TAG}=${stack.stack} tag); delete it or pick other names with --stack NAME`,
    );
  const alarms = await Promise.all(
    stack.alarms.alarms.map((spec) =>
      step(`alarm ${spec.name}`, () =>
        ensureAlarm(ctx, spec, topic.arn, existing.find((e) => e.alarm.AlarmName === spec.name)?.alarm),
      ),
    ),
  );
  return [topic, ...alarms];
}

/** Each alarm with its state, the topic and each subscription with its state (read calls only). */
export async function inspectAlarms(ctx: ProvisionContext): Promise<StepResult[]> {
  const stack = describeStack(ctx);
  // A stack set up without --alarm-email has no alarms to show, whatever else bears their names.
  if (!stack.alarms.wanted && !ctx.recorded.alarmTopic) return [];
  const [topic, alarms] = await Promise.all([getTopic(ctx), findAlarms(ctx)]);
  const steps: StepResult[] = [];
  const notOurs = `not tagged ${STACK_TAG}=${stack.stack}`;
  steps.push({
    resource: 'alarm topic',
    name: stack.alarms.topic.name,
    outcome: !topic ? 'missing' : isOurs(topic.tags, stack) ? 'present' : 'drifted',
    ...(topic && !isOurs(topic.tags, stack) ? { detail: notOurs } : {}),
  });
  for (const s of topic ? await subscriptionsOf(ctx, topic.arn) : []) {
    steps.push({
      resource: 'subscription',
      name: `${s.Protocol ?? 'email'} ${s.Endpoint ?? ''}`,
      outcome: 'present',
      detail: s.SubscriptionArn === PENDING ? PENDING_DETAIL : 'confirmed',
    });
  }
  for (const spec of stack.alarms.alarms) {
    const found = alarms.find((a) => a.alarm.AlarmName === spec.name);
    if (!found) {
      steps.push({ resource: 'alarm', name: spec.name, outcome: 'missing' });
      continue;
    }
    const state = found.alarm.StateValue ?? 'INSUFFICIENT_DATA';
    const why =
      state === 'INSUFFICIENT_DATA'
        ? ' (not enough data yet: a stack without traffic stays here)'
        : state === 'ALARM' && found.alarm.StateReason
          ? `: ${found.alarm.StateReason}`
          : '';
    steps.push({
      resource: 'alarm',
      name: spec.name,
      outcome: isOurs(found.tags, stack) ? 'present' : 'drifted',
      detail: isOurs(found.tags, stack) ? `${state}${why}` : notOurs,
    });
  }
  return steps;
}

/** Deletes our alarms, then our topic (which takes its subscriptions with it); someone else's stay. */
export async function removeAlarms(ctx: ProvisionContext): Promise<StepResult[]> {
  const stack = describeStack(ctx);
  const [topic, alarms] = await Promise.all([getTopic(ctx), findAlarms(ctx)]);
  const ours = alarms.filter((a) => ctx.force || isOurs(a.tags, stack));
  if (ours.length) {
    try {
      await ctx.clients.cloudwatch.send(
        new DeleteAlarmsCommand({ AlarmNames: ours.map((a) => a.alarm.AlarmName as string) }),
      );
    } catch (error) {
      if (!isNotFound(error) && errorName(error) !== 'ResourceNotFound')
        throw translateAwsError(error, 'cloudwatch:DeleteAlarms');
    }
  }
  const steps: StepResult[] = stack.alarms.alarms.map((spec) => {
    const found = alarms.find((a) => a.alarm.AlarmName === spec.name);
    if (!found) return { resource: 'alarm', name: spec.name, outcome: 'absent' };
    return ours.includes(found)
      ? { resource: 'alarm', name: spec.name, outcome: 'removed' }
      : { resource: 'alarm', name: spec.name, outcome: 'kept', detail: notOursDetail(stack.stack) };
  });
  const name = stack.alarms.topic.name;
  if (!topic) steps.push({ resource: 'alarm topic', name, outcome: 'absent' });
  else if (!ctx.force && !isOurs(topic.tags, stack))
    steps.push({ resource: 'alarm topic', name, outcome: 'kept', detail: notOursDetail(stack.stack) });
  else {
    await send('sns:DeleteTopic', () => ctx.clients.sns.send(new DeleteTopicCommand({ TopicArn: topic.arn })));
    steps.push({ resource: 'alarm topic', name, outcome: 'removed' });
  }
  if (ctx.recorded.alarmTopic && steps.at(-1)?.outcome !== 'kept') await ctx.record('alarmTopic', undefined);
  return steps;
}
