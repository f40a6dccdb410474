/** STS: who the caller is. */
import type { FakeCore, Handlers } from './core.js';

export function stsHandlers(aws: FakeCore) {
  return {
    GetCallerIdentity() {
      return { Account: aws.accountId, Arn: `arn:aws:iam::${aws.accountId}:user/tester`, UserId: 'AIDAFAKE' };
    },
  } satisfies Handlers<'sts'>;
}
