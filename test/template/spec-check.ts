/**
 * Checks a CloudFormation template against the resource specification AWS publishes (the database that the
 * `@aws-cdk/aws-service-spec` package carries): each resource type exists, each property is known, required
 * properties are present, each value has the property's type, and every Ref, Fn::GetAtt and Fn::Sub names a
 * parameter, a pseudo parameter, a resource, or an attribute that the resource's type has.
 */
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { Resource } from '@aws-cdk/service-spec-types';
import type { CfnTemplate } from '../../src/template/cloudformation.js';

type Spec = ReturnType<typeof loadAwsServiceSpecSync>;
type PropertyType = {
  type: string;
  element?: PropertyType;
  types?: PropertyType[];
  reference?: { $ref: string };
  allowedValues?: unknown[];
};

let loaded: Spec | undefined;
/** The specification, loaded once (about half a second). */
export function spec(): Spec {
  return (loaded ??= loadAwsServiceSpecSync());
}

/** The specification's resource of a type, or undefined when there is none. */
export function resourceSpec(type: string): Resource | undefined {
  const found: readonly Resource[] = spec().lookup('resource', 'cloudFormationType', 'equals', type);
  return found.length === 1 ? found[0] : undefined;
}

const PSEUDO = new Set([
  'AWS::AccountId',
  'AWS::Region',
  'AWS::Partition',
  'AWS::URLSuffix',
  'AWS::StackName',
  'AWS::StackId',
  'AWS::NoValue',
]);

class Checker {
  problems: string[] = [];
  constructor(private readonly template: CfnTemplate) {}

  private refTarget(
    name: string,
    where: string,
  ): { kind: 'parameter'; type: string } | { kind: 'resource' | 'pseudo' } | undefined {
    if (PSEUDO.has(name)) return { kind: 'pseudo' };
    const parameter = this.template.Parameters[name];
    if (parameter) return { kind: 'parameter', type: parameter.Type };
    if (this.template.Resources[name]) return { kind: 'resource' };
    this.problems.push(`${where}: Ref ${name} names no parameter or resource`);
    return undefined;
  }

  private getAtt(name: string, attribute: string, where: string): void {
    const target = this.template.Resources[name];
    if (!target) return void this.problems.push(`${where}: Fn::GetAtt ${name}.${attribute} names no resource`);
    const attributes = resourceSpec(target.Type)?.attributes ?? {};
    if (!(attribute in attributes))
      this.problems.push(
        `${where}: ${target.Type} has no attribute ${attribute} (it has ${Object.keys(attributes).join(', ')})`,
      );
  }

  /** Checks an intrinsic function; returns the kind of value it gives, or undefined when `value` is none. */
  intrinsic(value: unknown, where: string): 'string' | 'number' | 'any' | undefined {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const keys = Object.keys(value);
    if (keys.length !== 1) return undefined;
    const [key] = keys as [string];
    const argument = (value as Record<string, unknown>)[key];
    if (key === 'Ref') {
      if (typeof argument !== 'string') {
        this.problems.push(`${where}: Ref takes a name`);
        return 'any';
      }
      const target = this.refTarget(argument, where);
      return target?.kind === 'parameter' ? (target.type === 'Number' ? 'number' : 'string') : 'string';
    }
    if (key === 'Fn::GetAtt') {
      if (!Array.isArray(argument) || argument.length !== 2) {
        this.problems.push(`${where}: Fn::GetAtt takes [resource, attribute]`);
        return 'any';
      }
      this.getAtt(String(argument[0]), String(argument[1]), where);
      return 'any';
    }
    if (key === 'Fn::Sub') {
      if (typeof argument !== 'string') {
        this.problems.push(`${where}: Fn::Sub takes a string here`);
        return 'string';
      }
      for (const [, name] of argument.matchAll(/\$\{([^}!]+)\}/g)) {
        const [resource, attribute] = (name as string).split('.');
        if (attribute) this.getAtt(resource as string, attribute, where);
        else this.refTarget(resource as string, where);
      }
      return 'string';
    }
    if (key.startsWith('Fn::')) this.problems.push(`${where}: ${key} is not checked by this test; extend it`);
    return undefined;
  }

  value(value: unknown, type: PropertyType, where: string): void {
    const intrinsic = this.intrinsic(value, where);
    if (intrinsic) {
      if (intrinsic === 'number' && type.type === 'string')
        this.problems.push(`${where}: a Number parameter where a string is expected`);
      if (
        intrinsic === 'string' &&
        ['integer', 'number', 'boolean'].includes(type.type) &&
        !('Fn::Sub' in (value as object)) &&
        !this.isStringParameterAllowed(value)
      ) {
        this.problems.push(`${where}: a string where ${type.type} is expected`);
      }
      return;
    }
    switch (type.type) {
      case 'string':
      case 'date-time':
        if (typeof value !== 'string') this.problems.push(`${where}: ${JSON.stringify(value)} is not a string`);
        else if (type.allowedValues && !type.allowedValues.includes(value))
          this.problems.push(`${where}: ${value} is not one of ${type.allowedValues.join(', ')}`);
        return;
      case 'integer':
        if (!Number.isInteger(value)) this.problems.push(`${where}: ${JSON.stringify(value)} is not an integer`);
        return;
      case 'number':
        if (typeof value !== 'number') this.problems.push(`${where}: ${JSON.stringify(value)} is not a number`);
        return;
      case 'boolean':
        if (typeof value !== 'boolean') this.problems.push(`${where}: ${JSON.stringify(value)} is not a boolean`);
        return;
      case 'json':
        if (typeof value !== 'object' && typeof value !== 'string')
          this.problems.push(`${where}: ${JSON.stringify(value)} is not JSON`);
        else this.walkIntrinsics(value, where);
        return;
      case 'null':
        if (value !== null) this.problems.push(`${where}: not null`);
        return;
      case 'tag':
        if (!value || typeof value !== 'object') return void this.problems.push(`${where}: a tag is {Key, Value}`);
        this.properties(
          value as Record<string, unknown>,
          { Key: { type: { type: 'string' }, required: true }, Value: { type: { type: 'string' }, required: true } },
          where,
        );
        return;
      case 'array':
        if (!Array.isArray(value)) return void this.problems.push(`${where}: ${JSON.stringify(value)} is not a list`);
        for (const [index, element] of value.entries())
          this.value(element, type.element as PropertyType, `${where}[${index}]`);
        return;
      case 'map':
        if (!value || typeof value !== 'object' || Array.isArray(value))
          return void this.problems.push(`${where}: ${JSON.stringify(value)} is not a map`);
        for (const [key, element] of Object.entries(value))
          this.value(element, type.element as PropertyType, `${where}.${key}`);
        return;
      case 'union': {
        const outcomes = (type.types ?? []).map((option) => {
          const trial = new Checker(this.template);
          trial.value(value, option, where);
          return trial.problems;
        });
        if (outcomes.some((problems) => problems.length === 0)) return;
        // Report what is wrong inside the option whose shape the value has (a policy object, not a string).
        const fitting = (type.types ?? []).findIndex((option) => shapeFits(value, option));
        this.problems.push(
          ...(outcomes[fitting] ??
            outcomes.sort((a, b) => a.length - b.length)[0] ?? [`${where}: no type of the union fits`]),
        );
        return;
      }
      case 'ref': {
        const definition = spec().get('typeDefinition', type.reference!.$ref);
        if (!value || typeof value !== 'object' || Array.isArray(value))
          return void this.problems.push(`${where}: ${JSON.stringify(value)} is not a ${definition.name}`);
        this.properties(
          value as Record<string, unknown>,
          definition.properties as Record<string, { type: PropertyType; required?: boolean }>,
          where,
        );
        return;
      }
      default:
        this.problems.push(`${where}: the specification's type ${type.type} is not checked by this test`);
    }
  }

  /** A Number parameter is given to CloudFormation as a string, but a Ref to one is a number where it is used. */
  private isStringParameterAllowed(value: unknown): boolean {
    const name = (value as { Ref?: string }).Ref;
    return name !== undefined && this.template.Parameters[name]?.Type === 'Number';
  }

  /** JSON values (policy documents) may hold intrinsic functions anywhere. */
  walkIntrinsics(value: unknown, where: string): void {
    if (this.intrinsic(value, where)) return;
    if (Array.isArray(value)) for (const [i, v] of value.entries()) this.walkIntrinsics(v, `${where}[${i}]`);
    else if (value && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) this.walkIntrinsics(v, `${where}.${k}`);
  }

  properties(
    given: Record<string, unknown>,
    declared: Record<string, { type: PropertyType; required?: boolean }>,
    where: string,
  ): void {
    for (const [name, value] of Object.entries(given)) {
      const property = declared[name];
      if (!property)
        this.problems.push(`${where}: unknown property ${name} (known: ${Object.keys(declared).join(', ')})`);
      else this.value(value, property.type, `${where}.${name}`);
    }
    for (const [name, property] of Object.entries(declared))
      if (property.required && !(name in given)) this.problems.push(`${where}: required property ${name} is missing`);
  }
}

/** Whether a value has the outer shape of a type: a string for a string, an object for a map or a definition. */
function shapeFits(value: unknown, type: PropertyType): boolean {
  if (Array.isArray(value)) return type.type === 'array';
  if (value !== null && typeof value === 'object') return ['json', 'map', 'ref', 'tag'].includes(type.type);
  return typeof value === (type.type === 'integer' ? 'number' : type.type);
}

/** Every problem of the template against the specification; empty when it passes. */
export function checkTemplate(template: CfnTemplate): string[] {
  const checker = new Checker(template);
  for (const [id, resource] of Object.entries(template.Resources)) {
    const declared = resourceSpec(resource.Type);
    if (!declared) {
      checker.problems.push(`${id}: ${resource.Type} is not a resource type of the specification`);
      continue;
    }
    checker.properties(
      resource.Properties,
      declared.properties as Record<string, { type: PropertyType; required?: boolean }>,
      `${id}(${resource.Type})`,
    );
    for (const dependency of resource.DependsOn ?? [])
      if (!template.Resources[dependency]) checker.problems.push(`${id}: DependsOn ${dependency} names no resource`);
    for (const policy of [resource.DeletionPolicy, resource.UpdateReplacePolicy]) {
      if (policy !== undefined && !['Delete', 'Retain', 'RetainExceptOnCreate', 'Snapshot'].includes(policy))
        checker.problems.push(`${id}: policy ${policy}`);
    }
  }
  for (const [name, output] of Object.entries(template.Outputs))
    checker.walkIntrinsics(output.Value, `Outputs.${name}`);
  for (const [name, parameter] of Object.entries(template.Parameters)) {
    const d = parameter.Default;
    if (parameter.AllowedValues && !parameter.AllowedValues.includes(d))
      checker.problems.push(`Parameters.${name}: default ${d} is not allowed`);
    if (
      typeof d === 'number' &&
      ((parameter.MinValue !== undefined && d < parameter.MinValue) ||
        (parameter.MaxValue !== undefined && d > parameter.MaxValue))
    )
      checker.problems.push(`Parameters.${name}: default ${d} out of range`);
    if (parameter.AllowedPattern && !new RegExp(`^(?:${parameter.AllowedPattern})$`).test(String(d)))
      checker.problems.push(`Parameters.${name}: default ${d} does not match ${parameter.AllowedPattern}`);
  }
  return checker.problems;
}

/** The template as `aws cloudformation package` writes it: each function's local `Code` path becomes its S3 object. */
export function packaged(template: CfnTemplate, bucket: string, key: string): CfnTemplate {
  const copy = structuredClone(template);
  for (const resource of Object.values(copy.Resources)) {
    if (resource.Type === 'AWS::Lambda::Function' && typeof resource.Properties.Code === 'string')
      resource.Properties.Code = { S3Bucket: bucket, S3Key: key };
  }
  return copy;
}
