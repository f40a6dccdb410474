/** One API Gateway call, its failure translated to the error the CLI reports for `action`. */
import { translateAwsError } from '../aws/errors.js';
import type { ProvisionContext } from './context.js';

export async function apigw<T>(ctx: ProvisionContext, command: unknown, action: string): Promise<T> {
  try {
    return (await ctx.apigateway.send(command as never)) as T;
  } catch (error) {
    throw translateAwsError(error, action);
  }
}
