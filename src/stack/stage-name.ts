/** The stage name's rule, one for API Gateway and the local stack. */
import { ROUTES } from '../contract/routes.js';
import { UsageError } from '../errors.js';

/** The stage the API Gateway console's Test button invokes through; a stage of ours must not take it. */
export const CONSOLE_TEST_STAGE = 'test-invoke-stage';
/** The statement id of the function's permission for one route of one stage: `apigateway-{stage}-product-id`. */
export function statementId(stage: string, resource: string): string {
  return `apigateway-${stage}-${resource
    .replace(/^\//, '')
    .replace(/[{}]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '-')}`;
}

// Lambda limits statement ids to 100 characters; the longest route's id bounds the stage.
const STAGE_MAX_LENGTH = 100 - Math.max(...ROUTES.map((route) => statementId('', route.resource).length));

/**
 * The one rule for a stage name, on AWS and in the local stack: it is checked against every name it feeds, API
 * Gateway stage names (letters, digits, `-`, `_`, up to 128) and the function's permission statement ids
 * (`[A-Za-z0-9-_]{1,100}`, which bounds it to 78).
 */
export function checkStageName(stage: string): void {
  if (!/^[A-Za-z0-9_-]+$/.test(stage)) {
    throw new UsageError(
      `--stage ${JSON.stringify(stage)} is not a valid stage name: use letters, digits, hyphens or underscores`,
    );
  }
  if (stage.length > STAGE_MAX_LENGTH) {
    throw new UsageError(
      `--stage is ${stage.length} characters; at most ${STAGE_MAX_LENGTH} fit in the function's permission statement ids (Lambda allows 100)`,
    );
  }
  if (stage === CONSOLE_TEST_STAGE)
    throw new UsageError(
      `--stage ${CONSOLE_TEST_STAGE} is the stage of the API Gateway console's Test button; pick another name`,
    );
}
