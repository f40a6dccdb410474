/** IAM: roles with inline and attached policies; documents come back URL-encoded, as IAM returns them. */
import {
  DeleteConflictException,
  EntityAlreadyExistsException,
  NoSuchEntityException,
  type Role,
} from '@aws-sdk/client-iam';
import { type FakeCore, type Handlers, meta, tagList, tagRecord } from './core.js';

export interface RoleRecord {
  name: string;
  path?: string;
  boundary?: string;
  arn: string;
  createdAt: number;
  trust: string;
  tags: Record<string, string>;
  inline: Map<string, string>;
  attached: string[];
}

function roleOrThrow(aws: FakeCore, name: string | undefined): RoleRecord {
  const role = aws.roles.get(name ?? '');
  if (!role) throw new NoSuchEntityException({ message: `The role with name ${name} cannot be found.`, ...meta });
  return role;
}

function noSuchPolicy(name: string | undefined): Error {
  return new NoSuchEntityException({ message: `The role policy with name ${name} cannot be found.`, ...meta });
}

function roleView(r: RoleRecord): Role {
  return {
    ...(r.boundary
      ? {
          PermissionsBoundary: {
            PermissionsBoundaryType: 'PermissionsBoundaryPolicy',
            PermissionsBoundaryArn: r.boundary,
          },
        }
      : {}),
    RoleName: r.name,
    Arn: r.arn,
    Path: r.path ?? '/',
    RoleId: `AROA${r.name.length}`,
    CreateDate: new Date(r.createdAt),
    AssumeRolePolicyDocument: encodeURIComponent(r.trust),
    Tags: tagList(r.tags),
  };
}

export function iamHandlers(aws: FakeCore) {
  return {
    CreateRole(input) {
      const name = input.RoleName ?? '';
      if (aws.roles.has(name))
        throw new EntityAlreadyExistsException({ message: `Role with name ${name} already exists.`, ...meta });
      const r: RoleRecord = {
        name,
        path: input.Path ?? '/',
        ...(input.PermissionsBoundary ? { boundary: input.PermissionsBoundary } : {}),
        arn: `arn:aws:iam::${aws.accountId}:role${input.Path ?? '/'}${name}`,
        createdAt: aws.clock.now(),
        trust: input.AssumeRolePolicyDocument ?? '',
        tags: tagRecord(input.Tags),
        inline: new Map(),
        attached: [],
      };
      aws.roles.set(r.name, r);
      return { Role: roleView(r) };
    },

    GetRole(input) {
      return { Role: roleView(roleOrThrow(aws, input.RoleName)) };
    },

    UpdateAssumeRolePolicy(input) {
      roleOrThrow(aws, input.RoleName).trust = input.PolicyDocument ?? '';
    },

    PutRolePermissionsBoundary(input) {
      roleOrThrow(aws, input.RoleName).boundary = input.PermissionsBoundary;
    },

    TagRole(input) {
      Object.assign(roleOrThrow(aws, input.RoleName).tags, tagRecord(input.Tags));
    },

    PutRolePolicy(input) {
      roleOrThrow(aws, input.RoleName).inline.set(input.PolicyName ?? '', input.PolicyDocument ?? '');
    },

    GetRolePolicy(input) {
      const doc = roleOrThrow(aws, input.RoleName).inline.get(input.PolicyName ?? '');
      if (doc === undefined) throw noSuchPolicy(input.PolicyName);
      return { RoleName: input.RoleName, PolicyName: input.PolicyName, PolicyDocument: encodeURIComponent(doc) };
    },

    ListRolePolicies(input) {
      return { PolicyNames: [...roleOrThrow(aws, input.RoleName).inline.keys()], IsTruncated: false };
    },

    DeleteRolePolicy(input) {
      if (!roleOrThrow(aws, input.RoleName).inline.delete(input.PolicyName ?? '')) throw noSuchPolicy(input.PolicyName);
    },

    ListAttachedRolePolicies(input) {
      return {
        AttachedPolicies: roleOrThrow(aws, input.RoleName).attached.map((PolicyArn) => ({
          PolicyArn,
          PolicyName: PolicyArn.split('/').pop(),
        })),
        IsTruncated: false,
      };
    },

    DetachRolePolicy(input) {
      const r = roleOrThrow(aws, input.RoleName);
      r.attached = r.attached.filter((a) => a !== input.PolicyArn);
    },

    DeleteRole(input) {
      const r = roleOrThrow(aws, input.RoleName);
      if (r.inline.size > 0 || r.attached.length > 0)
        throw new DeleteConflictException({ message: 'Cannot delete entity, must delete policies first.', ...meta });
      aws.roles.delete(r.name);
    },
  } satisfies Handlers<'iam'>;
}
