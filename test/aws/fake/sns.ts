/** SNS: topics, idempotent by name, and email subscriptions that stay pending until the address confirms. */
import { InvalidParameterException, NotFoundException } from '@aws-sdk/client-sns';
import { createHash } from 'node:crypto';
import { type FakeCore, type Handlers, meta, tagList, tagRecord } from './core.js';

export interface TopicRecord {
  arn: string;
  name: string;
  attributes: Record<string, string>;
  tags: Record<string, string>;
  subscriptions: Array<{ arn?: string; protocol: string; endpoint: string }>;
}

function topicOrThrow(aws: FakeCore, arn: string | undefined): TopicRecord {
  const topic = [...aws.topics.values()].find((t) => t.arn === arn);
  if (!topic) throw new NotFoundException({ message: 'Topic does not exist', ...meta });
  return topic;
}

/** What the person's click on the link in AWS's email does. */
export function confirmSubscription(aws: FakeCore, email: string): void {
  for (const topic of aws.topics.values()) {
    for (const sub of topic.subscriptions)
      if (sub.endpoint === email && !sub.arn)
        sub.arn = `${topic.arn}:${createHash('sha256').update(email).digest('hex').slice(0, 8)}`;
  }
}

export function snsHandlers(aws: FakeCore) {
  return {
    CreateTopic(input) {
      const name = input.Name ?? '';
      const existing = aws.topics.get(name);
      const tags = tagRecord(input.Tags);
      if (existing) {
        // CreateTopic is idempotent for the same name, but not with other tags.
        if (input.Tags && JSON.stringify(existing.tags) !== JSON.stringify(tags))
          throw new InvalidParameterException({
            message: 'Invalid parameter: Tags Reason: Topic already exists with different tags',
            ...meta,
          });
        return { TopicArn: existing.arn };
      }
      const arn = `arn:aws:sns:${aws.region}:${aws.accountId}:${name}`;
      aws.topics.set(name, { arn, name, attributes: { ...(input.Attributes ?? {}) }, tags, subscriptions: [] });
      return { TopicArn: arn };
    },

    GetTopicAttributes(input) {
      const topic = topicOrThrow(aws, input.TopicArn);
      return {
        Attributes: {
          ...topic.attributes,
          TopicArn: topic.arn,
          SubscriptionsConfirmed: String(topic.subscriptions.filter((s) => s.arn).length),
          SubscriptionsPending: String(topic.subscriptions.filter((s) => !s.arn).length),
        },
      };
    },

    ListTagsForResource(input) {
      return { Tags: tagList(topicOrThrow(aws, input.ResourceArn).tags) };
    },

    Subscribe(input) {
      const topic = topicOrThrow(aws, input.TopicArn);
      const protocol = input.Protocol ?? '';
      const endpoint = input.Endpoint ?? '';
      let sub = topic.subscriptions.find((s) => s.protocol === protocol && s.endpoint === endpoint);
      if (!sub) {
        sub = { protocol, endpoint };
        topic.subscriptions.push(sub);
      }
      // An email subscription has no ARN until the address confirms it (SubscribeResponse in the API reference).
      if (sub.arn) return { SubscriptionArn: sub.arn };
      return {
        SubscriptionArn: input.ReturnSubscriptionArn
          ? `${topic.arn}:pending-${topic.subscriptions.indexOf(sub)}`
          : 'pending confirmation',
      };
    },

    ListSubscriptionsByTopic(input) {
      const topic = topicOrThrow(aws, input.TopicArn);
      return {
        Subscriptions: topic.subscriptions.map((s) => ({
          SubscriptionArn: s.arn ?? 'PendingConfirmation',
          Protocol: s.protocol,
          Endpoint: s.endpoint,
          TopicArn: topic.arn,
          Owner: aws.accountId,
        })),
      };
    },

    Unsubscribe(input) {
      for (const topic of aws.topics.values()) {
        const index = topic.subscriptions.findIndex((s) => s.arn === input.SubscriptionArn);
        if (index >= 0) {
          topic.subscriptions.splice(index, 1);
          return;
        }
      }
      throw new NotFoundException({ message: 'Subscription does not exist', ...meta });
    },

    DeleteTopic(input) {
      // Deleting a topic that does not exist succeeds; its subscriptions go with it.
      const topic = [...aws.topics.values()].find((t) => t.arn === input.TopicArn);
      if (topic) aws.topics.delete(topic.name);
    },
  } satisfies Handlers<'sns'>;
}
