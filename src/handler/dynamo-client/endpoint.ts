/** Where the DynamoDB client sends its requests, from the same environment variables as the AWS SDK reads. */

export interface DynamoTarget {
  url: URL;
  region: string;
}

/**
 * AWS_ENDPOINT_URL_DYNAMODB, then AWS_ENDPOINT_URL, then the regional endpoint; the first two are ignored when
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true, as in the SDK. Lambda always sets AWS_REGION.
 */
export function resolveDynamoTarget(env: NodeJS.ProcessEnv = process.env): DynamoTarget {
  const region = env.AWS_REGION;
  if (!region) throw new Error('no AWS region in the environment (AWS_REGION)');
  const ignoreConfigured = env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true';
  const configured = ignoreConfigured ? undefined : env.AWS_ENDPOINT_URL_DYNAMODB || env.AWS_ENDPOINT_URL;
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  const url = new URL(configured ?? `https://dynamodb.${region}.${suffix}`);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`the DynamoDB endpoint ${url.href} is not an http(s) URL`);
  return { url, region };
}
