/** The alarm topic and its email subscriptions, found by the topic's name. */
import {
  CreateTopicCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListTagsForResourceCommand,
  SubscribeCommand,
  UnsubscribeCommand,
  type Subscription,
} from '@aws-sdk/client-sns';
import { isNotFound, translateAwsError } from '../aws/errors.js';
import { AwsError } from '../errors.js';
import { topicArn } from './arns.js';
import { whereOf, type ProvisionContext, type StepResult } from './context.js';
import { describeStack } from './description.js';
import { isOurs, STACK_TAG, tagList, tagMap } from './names.js';

/** What SNS lists for an email subscription nobody has confirmed yet, in place of its ARN. */
export const PENDING = 'PendingConfirmation';
export const PENDING_DETAIL =
  'pending confirmation: AWS mailed a link to this address, and no alarm reaches it until someone clicks it';

/** Sends one call, translating its error for the IAM action that authorises it. */
export async function send<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw translateAwsError(error, action);
  }
}

/** The topic, with its tags, or undefined when there is none. */
export async function getTopic(
  ctx: ProvisionContext,
): Promise<{ arn: string; tags: Record<string, string> } | undefined> {
  const arn = topicArn(await whereOf(ctx), describeStack(ctx).alarms.topic.name);
  try {
    await ctx.clients.sns.send(new GetTopicAttributesCommand({ TopicArn: arn }));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw translateAwsError(error, 'sns:GetTopicAttributes');
  }
  const out = await send('sns:ListTagsForResource', () =>
    ctx.clients.sns.send(new ListTagsForResourceCommand({ ResourceArn: arn })),
  );
  return { arn, tags: tagMap(out.Tags) };
}

/** Every subscription of the topic, pages merged. */
export async function subscriptionsOf(ctx: ProvisionContext, arn: string): Promise<Subscription[]> {
  const all: Subscription[] = [];
  let NextToken: string | undefined;
  do {
    const out = await send('sns:ListSubscriptionsByTopic', () =>
      ctx.clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn, ...(NextToken ? { NextToken } : {}) })),
    );
    all.push(...(out.Subscriptions ?? []));
    NextToken = out.NextToken;
  } while (NextToken);
  return all;
}

const sameAddress = (a: string | undefined, b: string) => a?.toLowerCase() === b.toLowerCase();

/** Creates the topic with our tags, or checks that the one there is ours; then subscribes each address. */
export async function ensureTopic(ctx: ProvisionContext): Promise<StepResult & { arn: string }> {
  const stack = describeStack(ctx);
  const { name, displayName, emails } = stack.alarms.topic;
  const found = await getTopic(ctx);
  if (found && !isOurs(found.tags, stack)) {
    throw new AwsError(
      `an SNS topic named ${name} already exists and is not this stack's (no ${STACK_TAG}=${stack.stack} tag); delete it or pick other names with --stack NAME`,
    );
  }
  // CreateTopic answers the existing topic's ARN for the same name and attributes, so a rerun is harmless.
  const arn =
    found?.arn ??
    (
      await send('sns:CreateTopic', () =>
        ctx.clients.sns.send(
          new CreateTopicCommand({ Name: name, Attributes: { DisplayName: displayName }, Tags: tagList(stack.tags) }),
        ),
      )
    ).TopicArn ??
    '';
  if (!found) await ctx.record('alarmTopic', arn);
  const subscriptions = await subscriptionsOf(ctx, arn);
  const changes: string[] = [];
  let pending = 0;
  for (const email of emails) {
    const existing = subscriptions.find((s) => s.Protocol === 'email' && sameAddress(s.Endpoint, email));
    if (existing && existing.SubscriptionArn !== PENDING) continue;
    // Subscribing a pending address again mails it a fresh link.
    const out = await send('sns:Subscribe', () =>
      ctx.clients.sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'email', Endpoint: email })),
    );
    if (!existing) changes.push(`subscribed ${email}`);
    if (out.SubscriptionArn === 'pending confirmation' || out.SubscriptionArn === PENDING) pending += 1;
  }
  for (const s of subscriptions.filter(
    (s) => s.Protocol === 'email' && !emails.some((e) => sameAddress(s.Endpoint, e)),
  )) {
    // A pending subscription has no ARN yet, so it cannot be removed; it lapses unconfirmed.
    if (s.SubscriptionArn === PENDING || !s.SubscriptionArn) continue;
    await send('sns:Unsubscribe', () =>
      ctx.clients.sns.send(new UnsubscribeCommand({ SubscriptionArn: s.SubscriptionArn })),
    );
    changes.push(`unsubscribed ${s.Endpoint}`);
  }
  const note = pending
    ? `${pending} address${pending === 1 ? '' : 'es'} ${PENDING_DETAIL.replace('this address', pending === 1 ? 'it' : 'each')}`
    : '';
  const detail = [...changes, ...(note ? [note] : [])].join('; ');
  return {
    resource: 'alarm topic',
    name,
    outcome: !found ? 'created' : changes.length ? 'updated' : 'unchanged',
    arn,
    ...(detail ? { detail } : {}),
  };
}
