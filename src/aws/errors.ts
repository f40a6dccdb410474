/** SDK errors translated where the call is made: absent things, credentials, permissions. */
import { AwsError } from '../errors.js';

interface SdkErrorShape {
  name?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  retryAfterSeconds?: string;
}

/** The error's SDK name (`ResourceNotFoundException`, `NoSuchEntityException`, …). */
export function errorName(error: unknown): string {
  const shape = error as SdkErrorShape | undefined;
  return shape?.name ?? shape?.Code ?? '';
}

const NOT_FOUND_ERRORS = [
  'ResourceNotFoundException',
  'NoSuchEntityException',
  'NotFoundException',
  'NoSuchEntity',
  'TableNotFoundException',
];

/**
 * True for every service's "no such resource" error, as the v3 SDKs name them (DescribeContinuousBackups
 * names a missing table TableNotFoundException where the other DynamoDB calls say ResourceNotFoundException).
 */
export function isNotFound(error: unknown): boolean {
  return NOT_FOUND_ERRORS.includes(errorName(error));
}

const CREDENTIAL_ERRORS = ['CredentialsProviderError', 'ProviderError', 'TokenProviderError'];
const INVALID_CREDENTIAL_ERRORS = [
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
];
const DENIED_ERRORS = [
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedException',
  'AuthorizationError',
];

/**
 * The permission a create with tags also needs: AWS authorises the tags of a create separately, against the
 * service's tagging action, and refuses the whole create without it.
 */
export const TAG_ACTIONS: Record<string, string> = {
  'dynamodb:CreateTable': 'dynamodb:TagResource',
  'iam:CreateRole': 'iam:TagRole',
  'lambda:CreateFunction': 'lambda:TagResource',
  'logs:CreateLogGroup': 'logs:TagResource',
  'cloudwatch:PutMetricAlarm': 'cloudwatch:TagResource',
  'sns:CreateTopic': 'sns:TagResource',
  'apigateway:POST': 'apigateway:POST on /tags/*',
};

/** Regions an account must enable before use; until then AWS answers as if the credentials were bad. */
export const OPT_IN_REGIONS = [
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-south-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-7',
  'ca-west-1',
  'eu-central-2',
  'eu-south-1',
  'eu-south-2',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
];

/** True for AWS's answer to credentials it does not accept (or, in an opt-in region not enabled, to any). */
export function isRejectedCredentials(error: unknown): boolean {
  return INVALID_CREDENTIAL_ERRORS.includes(errorName(error));
}

/** The hint for a caller without credentials. */
export const NO_CREDENTIALS_HINT = 'no AWS credentials found: set AWS_PROFILE or run aws configure, or use --local';

/**
 * Turns an SDK error into an AwsError a user can act on. `action` is the IAM action that was attempted
 * (`iam:CreateRole`), so that AccessDenied names the permission that is missing.
 */
export function translateAwsError(error: unknown, action: string): unknown {
  if (error instanceof AwsError) return error;
  const name = errorName(error);
  const message = (error as SdkErrorShape | undefined)?.message ?? String(error);
  if (CREDENTIAL_ERRORS.includes(name) || /Could not load credentials|credential/i.test(name)) {
    // The SSO provider's own message says what to run (aws sso login); it is worth more than ours.
    if (/\bsso\b/i.test(message))
      return new AwsError(`AWS credentials could not be loaded: ${firstLine(message)}`, { cause: error });
    return new AwsError(NO_CREDENTIALS_HINT, { cause: error });
  }
  if (INVALID_CREDENTIAL_ERRORS.includes(name)) {
    return new AwsError(
      `AWS rejected the credentials (${name}): refresh them (aws sso login, aws configure) or pick another AWS_PROFILE`,
      { cause: error },
    );
  }
  const unreadableDenial = isUnreadableDenial(error);
  if (DENIED_ERRORS.includes(name) || /not authorized to perform/i.test(message) || unreadableDenial) {
    // AWS's message names the action it refused, which may be another than the call's own (a create's tags).
    const refused = /not authorized to perform: ([\w-]+:[\w*-]+)/.exec(message)?.[1] ?? action;
    const tagAction = TAG_ACTIONS[action];
    const tagNote = tagAction && refused === action ? `; it creates with tags, which also needs ${tagAction}` : '';
    const said = unreadableDenial ? 'HTTP 403, in a body the SDK could not read' : firstLine(message);
    return new AwsError(
      `AWS denied ${refused}${refused === action ? '' : ` (for ${action})`}: grant that permission to the caller (${said})${tagNote}`,
      { cause: error },
    );
  }
  if (
    name === 'TimeoutError' ||
    (error as NodeJS.ErrnoException)?.code === 'ECONNREFUSED' ||
    (error as NodeJS.ErrnoException)?.code === 'ENOTFOUND'
  ) {
    return new AwsError(
      `could not reach AWS for ${action} (${firstLine(message)}); check the network, --region and --endpoint-url`,
      { cause: error },
    );
  }
  if (name !== '' && (error as SdkErrorShape).$metadata) {
    return new AwsError(`${action} failed: ${name}: ${firstLine(message)}`, { cause: error });
  }
  return error;
}

/**
 * A 403 whose error body the SDK could not parse (an XML error page where the protocol is JSON, as a proxy or an
 * emulator may send): with no error code to go by, the status says the call was refused.
 */
export function isUnreadableDenial(error: unknown): boolean {
  const shape = error as SdkErrorShape | undefined;
  return shape?.$metadata?.httpStatusCode === 403 && /Deserialization error/.test(shape.message ?? '');
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? text;
}
