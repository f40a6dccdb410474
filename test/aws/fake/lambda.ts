/**
 * Lambda: a new function is Pending and cannot use a role IAM has not yet propagated; each update leaves it
 * InProgress, refusing other updates with ResourceConflictException; versions, aliases with their routing
 * limits, and a policy of its own for the function and for each alias or version.
 */
import {
  type AliasConfiguration,
  type AliasRoutingConfiguration,
  type FunctionConfiguration,
  InvalidParameterValueException,
  PreconditionFailedException,
  ResourceConflictException,
  ResourceNotFoundException,
  TooManyRequestsException,
} from '@aws-sdk/client-lambda';
import { createHash } from 'node:crypto';
import { type FakeCore, type Handlers, meta } from './core.js';

/** One statement of a function's resource-based policy. */
export interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Principal: { Service?: string };
  Action?: string;
  Resource?: string;
  Condition?: { ArnLike?: Record<string, string | undefined> };
}
interface VersionRecord {
  version: string;
  config: FunctionConfiguration;
  description: string;
  publishedAt: number;
}
interface AliasRecord {
  name: string;
  version: string;
  description: string;
  weights: Record<string, number>;
  revisionId: string;
}
export interface FunctionRecord {
  config: FunctionConfiguration;
  tags: Record<string, string>;
  createdAt: number;
  updateDoneAt: number;
  /** The unqualified function's policy. */
  statements: Map<string, PolicyStatement>;
  /** Each alias's or version's own policy, by qualifier. */
  qualifiedStatements?: Map<string, Map<string, PolicyStatement>>;
  versions?: VersionRecord[];
  aliases?: Map<string, AliasRecord>;
  inactive?: boolean;
  lastUpdateFailed?: string;
}

function fnOrThrow(aws: FakeCore, name: string | undefined): FunctionRecord {
  const fn = aws.functions.get(String(name).split(':').pop() as string);
  if (!fn)
    throw new ResourceNotFoundException({
      message: `Function not found: arn:aws:lambda:${aws.region}:${aws.accountId}:function:${name}`,
      ...meta,
    });
  return fn;
}

function notFound(fn: FunctionRecord, qualifier: string): Error {
  return new ResourceNotFoundException({
    message: `Function not found: ${fn.config.FunctionArn}:${qualifier}`,
    ...meta,
  });
}

function noAlias(fn: FunctionRecord, name: string | undefined): Error {
  return new ResourceNotFoundException({ message: `Cannot find alias arn: ${fn.config.FunctionArn}:${name}`, ...meta });
}

function fnConfig(aws: FakeCore, fn: FunctionRecord): FunctionConfiguration {
  const now = aws.clock.now();
  const state = now < fn.createdAt + aws.model.functionActiveMs ? 'Pending' : fn.inactive ? 'Inactive' : 'Active';
  const updating = now < fn.updateDoneAt;
  const done: FunctionConfiguration = fn.lastUpdateFailed
    ? { LastUpdateStatus: 'Failed', LastUpdateStatusReason: fn.lastUpdateFailed }
    : { LastUpdateStatus: 'Successful' };
  return {
    ...fn.config,
    State: state,
    ...(state === 'Pending' ? {} : updating ? { LastUpdateStatus: 'InProgress' } : done),
  };
}

/** True when IAM has propagated the role far enough for Lambda to assume it. */
function roleUsable(aws: FakeCore, roleArn: string | undefined): boolean {
  const role = aws.roles.get(String(roleArn).split('/').pop() as string);
  return role !== undefined && aws.clock.now() >= role.createdAt + aws.model.roleUsableMs;
}

function roleUnusable(): Error {
  return new InvalidParameterValueException({
    message: 'The role defined for the function cannot be assumed by Lambda.',
    ...meta,
  });
}

function assertUpdatable(aws: FakeCore, fn: FunctionRecord): void {
  const config = fnConfig(aws, fn);
  if (config.State === 'Pending' || config.LastUpdateStatus === 'InProgress') {
    throw new ResourceConflictException({
      message: `The operation cannot be performed at this time. An update is in progress for resource: ${fn.config.FunctionArn}`,
      ...meta,
    });
  }
}

/** An accepted update: the function is InProgress for a while, and the last failure is forgotten. */
function startUpdate(aws: FakeCore, fn: FunctionRecord): FunctionConfiguration {
  delete fn.lastUpdateFailed;
  fn.updateDoneAt = aws.clock.now() + aws.model.functionUpdateMs;
  return fnConfig(aws, fn);
}

function qualifierOrThrow(fn: FunctionRecord, qualifier: string): void {
  if (/^\d+$/.test(qualifier) ? fn.versions?.some((v) => v.version === qualifier) : fn.aliases?.has(qualifier)) return;
  throw notFound(fn, qualifier);
}

/** The policy of the function, or of one alias or version (`Qualifier`): each has its own. */
function policyOf(
  fn: FunctionRecord,
  qualifier: string | undefined,
  create = false,
): Map<string, PolicyStatement> | undefined {
  if (!qualifier || qualifier === '$LATEST') return fn.statements;
  qualifierOrThrow(fn, qualifier);
  fn.qualifiedStatements ??= new Map();
  if (create && !fn.qualifiedStatements.has(qualifier)) fn.qualifiedStatements.set(qualifier, new Map());
  return fn.qualifiedStatements.get(qualifier);
}

/** The statements of a function's policy, or of one alias's or version's (empty when there is none). */
export function functionPolicy(aws: FakeCore, name: string, qualifier?: string): Map<string, PolicyStatement> {
  const record = aws.functions.get(name);
  return (qualifier ? record?.qualifiedStatements?.get(qualifier) : record?.statements) ?? new Map();
}

/** What a version freezes: code and configuration, without state or identity. */
function publishable(config: FunctionConfiguration): string {
  const { FunctionArn: _arn, Version: _v, State: _s, LastUpdateStatus: _l, ...rest } = config;
  return JSON.stringify(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b)));
}

function versionView(fn: FunctionRecord, v: VersionRecord): FunctionConfiguration {
  return {
    ...v.config,
    FunctionArn: `${fn.config.FunctionArn}:${v.version}`,
    Version: v.version,
    Description: v.description,
    LastModified: new Date(v.publishedAt).toISOString(),
    State: 'Active',
    LastUpdateStatus: 'Successful',
  };
}

function aliasView(fn: FunctionRecord, a: AliasRecord): AliasConfiguration {
  return {
    AliasArn: `${fn.config.FunctionArn}:${a.name}`,
    Name: a.name,
    FunctionVersion: a.version,
    Description: a.description,
    RevisionId: a.revisionId,
    ...(Object.keys(a.weights).length ? { RoutingConfig: { AdditionalVersionWeights: { ...a.weights } } } : {}),
  };
}

/** Lambda's routing limits: at most one additional version, published, not the alias's own, weight 0–1. */
function routingOf(
  fn: FunctionRecord,
  version: string,
  routing: AliasRoutingConfiguration | undefined,
): Record<string, number> {
  const weights: Record<string, number> = { ...(routing?.AdditionalVersionWeights ?? {}) };
  const entries = Object.entries(weights);
  if (entries.length > 1)
    throw new InvalidParameterValueException({
      message: 'Number of items in AdditionalVersionWeights cannot be greater than 1',
      ...meta,
    });
  for (const [v, w] of entries) {
    if (!(w >= 0 && w <= 1))
      throw new InvalidParameterValueException({
        message: `1 validation error detected: Value '${w}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Member must have value less than or equal to 1.0`,
        ...meta,
      });
    if (v === version)
      throw new InvalidParameterValueException({
        message: `Invalid function version ${v}. Function version ${v} is already included in routing configuration.`,
        ...meta,
      });
    qualifierOrThrow(fn, v);
  }
  return weights;
}

function checkAliasVersion(fn: FunctionRecord, version: string): void {
  if (version === '$LATEST' || fn.versions?.some((v) => v.version === version)) return;
  throw notFound(fn, version);
}

/** DeleteFunction with a version as Qualifier deletes that version; one an alias points at is refused. */
function deleteVersion(fn: FunctionRecord, version: string): void {
  const user = [...(fn.aliases?.values() ?? [])].find((a) => a.version === version || a.weights[version] !== undefined);
  if (user)
    throw new ResourceConflictException({
      message: `Unable to delete version because the following aliases reference it: [${user.name}]`,
      ...meta,
    });
  fn.versions = (fn.versions ?? []).filter((v) => v.version !== version);
  fn.qualifiedStatements?.delete(version);
}

function codeSha256(zip: Uint8Array | undefined): string {
  return createHash('sha256')
    .update(zip ?? new Uint8Array())
    .digest('base64');
}

export function lambdaHandlers(aws: FakeCore) {
  return {
    CreateFunction(input) {
      const name = input.FunctionName ?? '';
      if (aws.functions.has(name))
        throw new ResourceConflictException({ message: `Function already exist: ${name}`, ...meta });
      if (!roleUsable(aws, input.Role)) {
        if (aws.random() < aws.model.lambdaThrottleRate) {
          throw new TooManyRequestsException({
            message: 'Rate exceeded',
            retryAfterSeconds: '1',
            Reason: 'CallerRateLimitExceeded',
            Type: 'User',
            ...meta,
            $metadata: { httpStatusCode: 429 },
          });
        }
        throw roleUnusable();
      }
      const zip = input.Code?.ZipFile;
      const fn: FunctionRecord = {
        config: {
          FunctionName: name,
          FunctionArn: `arn:aws:lambda:${aws.region}:${aws.accountId}:function:${name}`,
          Runtime: input.Runtime,
          Handler: input.Handler,
          Role: input.Role,
          MemorySize: input.MemorySize ?? 128,
          Timeout: input.Timeout ?? 3,
          Environment: input.Environment,
          LoggingConfig: input.LoggingConfig ?? { LogFormat: 'Text', LogGroup: `/aws/lambda/${name}` },
          Architectures: input.Architectures ?? ['x86_64'],
          CodeSha256: codeSha256(zip),
          CodeSize: zip?.length ?? 0,
        },
        tags: { ...(input.Tags ?? {}) },
        createdAt: aws.clock.now(),
        updateDoneAt: 0,
        statements: new Map(),
      };
      aws.functions.set(name, fn);
      return { ...fnConfig(aws, fn), State: 'Pending' };
    },

    GetFunction(input) {
      const fn = fnOrThrow(aws, input.FunctionName);
      // Without lambda:ListTags, GetFunction still answers, with TagsError in place of Tags.
      if (aws.denied.has('lambda:ListTags') || aws.hiddenFunctionTags)
        return {
          Configuration: fnConfig(aws, fn),
          Code: { RepositoryType: 'S3' },
          TagsError: { ErrorCode: 'AccessDeniedException', Message: aws.accessDenied('lambda:ListTags').message },
        };
      return { Configuration: fnConfig(aws, fn), Code: { RepositoryType: 'S3' }, Tags: fn.tags };
    },

    GetAccountSettings() {
      return {
        AccountLimit: {
          ConcurrentExecutions: aws.lambdaConcurrency,
          UnreservedConcurrentExecutions: aws.lambdaConcurrency,
        },
      };
    },

    ListTags(input) {
      return { Tags: { ...fnOrThrow(aws, input.Resource).tags } };
    },

    GetFunctionConfiguration(input) {
      const fn = fnOrThrow(aws, input.FunctionName);
      const qualifier = input.Qualifier;
      if (!qualifier || qualifier === '$LATEST') return fnConfig(aws, fn);
      const version = fn.aliases?.get(qualifier)?.version ?? qualifier;
      const record = fn.versions?.find((v) => v.version === version);
      if (!record) throw notFound(fn, qualifier);
      return versionView(fn, record);
    },

    UpdateFunctionConfiguration(input) {
      const fn = fnOrThrow(aws, input.FunctionName);
      assertUpdatable(aws, fn);
      if (input.Role && input.Role !== fn.config.Role && !roleUsable(aws, input.Role)) throw roleUnusable();
      const { FunctionName: _ignored, ...rest } = input;
      Object.assign(fn.config, rest);
      return startUpdate(aws, fn);
    },

    UpdateFunctionCode(input) {
      const fn = fnOrThrow(aws, input.FunctionName);
      assertUpdatable(aws, fn);
      fn.config.CodeSha256 = codeSha256(input.ZipFile);
      if (input.Architectures) fn.config.Architectures = input.Architectures;
      return startUpdate(aws, fn);
    },

    TagResource(input) {
      const fn = fnOrThrow(aws, input.Resource);
      assertUpdatable(aws, fn);
      Object.assign(fn.tags, input.Tags);
    },

    DeleteFunction(input) {
      const fn = fnOrThrow(aws, input.FunctionName);
      if (input.Qualifier) return deleteVersion(fn, input.Qualifier);
      aws.functions.delete(input.FunctionName ?? '');
    },

    AddPermission(input) {
      const fn = fnOrThrow(aws, input.FunctionName);
      // The same exception name as for an existing statement id: only the message differs.
      assertUpdatable(aws, fn);
      const policy = policyOf(fn, input.Qualifier, true) as Map<string, PolicyStatement>;
      const sid = input.StatementId ?? '';
      if (policy.has(sid))
        throw new ResourceConflictException({
          message: `The statement id (${sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
          ...meta,
        });
      const resource = input.Qualifier ? `${fn.config.FunctionArn}:${input.Qualifier}` : fn.config.FunctionArn;
      const statement: PolicyStatement = {
        Sid: sid,
        Effect: 'Allow',
        Principal: { Service: input.Principal },
        Action: input.Action,
        Resource: resource,
        Condition: { ArnLike: { 'AWS:SourceArn': input.SourceArn } },
      };
      policy.set(sid, statement);
      return { Statement: JSON.stringify(statement) };
    },

    RemovePermission(input) {
      const fn = fnOrThrow(aws, input.FunctionName);
      assertUpdatable(aws, fn);
      if (!policyOf(fn, input.Qualifier)?.delete(input.StatementId ?? ''))
        throw new ResourceNotFoundException({ message: 'No policy is associated with the given resource.', ...meta });
    },

    GetPolicy(input) {
      const fn = fnOrThrow(aws, input.FunctionName);
      const policy = policyOf(fn, input.Qualifier);
      if (!policy || policy.size === 0)
        throw new ResourceNotFoundException({ message: 'The resource you requested does not exist.', ...meta });
      return { Policy: JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: [...policy.values()] }) };
    },

    /**
     * PublishVersion: refused while an update is in progress; with CodeSha256, refused when $LATEST's code is
     * another; and when neither code nor configuration changed since the last version, Lambda publishes
     * nothing and answers that version.
     */
    PublishVersion(input) {
      const fn = fnOrThrow(aws, input.FunctionName);
      assertUpdatable(aws, fn);
      if (input.CodeSha256 && input.CodeSha256 !== fn.config.CodeSha256) {
        throw new InvalidParameterValueException({
          message: `CodeSha256 (${input.CodeSha256}) is different from current CodeSha256 in $LATEST (${fn.config.CodeSha256}). Please try again with the CodeSha256 in $LATEST.`,
          ...meta,
        });
      }
      fn.versions ??= [];
      const last = fn.versions.at(-1);
      if (last && publishable(last.config) === publishable(fn.config)) return versionView(fn, last);
      const record: VersionRecord = {
        version: String(Number(last?.version ?? 0) + 1),
        config: structuredClone(fn.config),
        description: input.Description ?? '',
        publishedAt: aws.clock.now(),
      };
      fn.versions.push(record);
      return versionView(fn, record);
    },

    ListVersionsByFunction(input) {
      const fn = fnOrThrow(aws, input.FunctionName);
      return {
        Versions: [{ ...fnConfig(aws, fn), Version: '$LATEST' }, ...(fn.versions ?? []).map((v) => versionView(fn, v))],
      };
    },

    CreateAlias(input) {
      const fn = fnOrThrow(aws, input.FunctionName);
      const name = input.Name ?? '';
      const version = input.FunctionVersion ?? '';
      fn.aliases ??= new Map();
      if (fn.aliases.has(name))
        throw new ResourceConflictException({
          message: `Alias already exists: ${fn.config.FunctionArn}:${name}`,
          ...meta,
        });
      checkAliasVersion(fn, version);
      const alias: AliasRecord = {
        name,
        version,
        description: input.Description ?? '',
        weights: routingOf(fn, version, input.RoutingConfig),
        revisionId: aws.newId(),
      };
      fn.aliases.set(name, alias);
      return aliasView(fn, alias);
    },

    GetAlias(input) {
      const fn = fnOrThrow(aws, input.FunctionName);
      const alias = fn.aliases?.get(input.Name ?? '');
      if (!alias) throw noAlias(fn, input.Name);
      return aliasView(fn, alias);
    },

    ListAliases(input) {
      const fn = fnOrThrow(aws, input.FunctionName);
      return { Aliases: [...(fn.aliases?.values() ?? [])].map((a) => aliasView(fn, a)) };
    },

    /** UpdateAlias: refused while an update of the function is in progress, and on a stale RevisionId. */
    UpdateAlias(input) {
      const fn = fnOrThrow(aws, input.FunctionName);
      assertUpdatable(aws, fn);
      const alias = fn.aliases?.get(input.Name ?? '');
      if (!alias) throw noAlias(fn, input.Name);
      if (input.RevisionId && input.RevisionId !== alias.revisionId)
        throw new PreconditionFailedException({
          message:
            'The Revision Id provided does not match the latest Revision Id. Call the GetAlias API to retrieve the latest Revision Id',
          ...meta,
          $metadata: { httpStatusCode: 412 },
        });
      const version = input.FunctionVersion ?? alias.version;
      checkAliasVersion(fn, version);
      const weights = input.RoutingConfig !== undefined ? routingOf(fn, version, input.RoutingConfig) : alias.weights;
      Object.assign(alias, {
        version,
        weights,
        revisionId: aws.newId(),
        ...(input.Description !== undefined ? { description: input.Description } : {}),
      });
      return aliasView(fn, alias);
    },

    DeleteAlias(input) {
      const fn = fnOrThrow(aws, input.FunctionName);
      fn.aliases?.delete(input.Name ?? '');
      fn.qualifiedStatements?.delete(input.Name ?? '');
    },
  } satisfies Handlers<'lambda'>;
}
