/** One place builds the SDK clients, so that region, profile and endpoint apply to every service alike. */
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { AwsError } from '../errors.js';

export interface AwsClients {
  dynamodb: DynamoDBClient;
  iam: IAMClient;
  lambda: LambdaClient;
  apigateway: APIGatewayClient;
  logs: CloudWatchLogsClient;
  sts: STSClient;
  cloudwatch: CloudWatchClient;
  sns: SNSClient;
}

export interface ClientOptions {
  /** `--region`; otherwise AWS_REGION, AWS_DEFAULT_REGION or the profile's region. */
  region?: string;
  /** `--profile`; otherwise AWS_PROFILE or `default`. */
  profile?: string;
  /** `--endpoint-url`: one endpoint for every service, as AWS-compatible emulators serve them. */
  endpointUrl?: string;
}

/** Builds the clients from the standard credential chain and the given overrides. */
export function createAwsClients(options: ClientOptions = {}): AwsClients {
  if (options.endpointUrl !== undefined && !/^https?:\/\/[^/]+/.test(options.endpointUrl)) {
    throw new AwsError(
      `--endpoint-url ${options.endpointUrl} is not an http(s) URL; give one such as http://127.0.0.1:5000`,
    );
  }
  const config = {
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}),
  };
  return {
    dynamodb: new DynamoDBClient(config),
    iam: new IAMClient(config),
    lambda: new LambdaClient(config),
    apigateway: new APIGatewayClient(config),
    logs: new CloudWatchLogsClient(config),
    sts: new STSClient(config),
    cloudwatch: new CloudWatchClient(config),
    sns: new SNSClient(config),
  };
}

/** The region the clients resolved, or an AwsError saying how to choose one. */
export async function resolveRegion(clients: AwsClients): Promise<string> {
  try {
    const region = await clients.sts.config.region();
    if (region) return region;
  } catch {
    // The SDK throws "Region is missing" here; the message below says what to do instead.
  }
  throw new AwsError('no AWS region: pass --region, set AWS_REGION, or set a region in your AWS profile');
}

/** Closes the clients' connection pools, so that the process can exit promptly. */
export function destroyAwsClients(clients: AwsClients): void {
  for (const client of Object.values(clients)) (client as { destroy(): void }).destroy();
}
