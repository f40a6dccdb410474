/** `openapi`: the OpenAPI 3.1 document of the product API, with the target's invoke URL as its server. */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineCommand } from '../cli/command.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { note } from '../output/print.js';
import { buildOpenApiDocument, type OpenApiDocument } from '../openapi/document.js';
import { resolveTarget, type Target } from '../target.js';

export interface OpenApiOptions {
  url?: string;
  /** Write the document to this file instead of stdout. */
  output?: string;
}

export interface OpenApiResult {
  document: OpenApiDocument;
  /** The file written, when --output was given. */
  output?: string;
  serverUrl?: string;
}

const SOURCES: Record<Target['source'], string> = {
  flag: 'given with --url',
  env: 'from PRODUCTS_API_URL',
  'state:local': 'the local stack',
  'state:aws': 'the API on AWS',
};

/** The version in package.json, which the document gives as its own. */
export async function packageVersion(): Promise<string> {
  try {
    // Two levels above this module, in src/commands and build/commands alike.
    const manifestPath = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { version?: string };
    return manifest.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** The target, or undefined when none is given or recorded (the document is still useful without one). */
async function knownTarget(opts: OpenApiOptions, ctx: Context): Promise<Target | undefined> {
  try {
    return await resolveTarget({ url: opts.url, env: ctx.env, cwd: ctx.cwd });
  } catch (error) {
    if (error instanceof UsageError && opts.url === undefined && !ctx.env.PRODUCTS_API_URL) return undefined;
    throw error;
  }
}

/** Builds the document, and writes it to --output when given. */
export async function openapi(opts: OpenApiOptions, ctx: Context): Promise<OpenApiResult> {
  const target = await knownTarget(opts, ctx);
  const document = buildOpenApiDocument({
    version: await packageVersion(),
    serverUrl: target?.url,
    serverDescription: target ? SOURCES[target.source] : undefined,
    ...(target?.authSettings
      ? { auth: target.authSettings }
      : target?.apiKey
        ? { auth: { mode: 'api-key' as const, privateReads: false } }
        : {}),
  });
  if (opts.output !== undefined) {
    try {
      await writeFile(opts.output, `${JSON.stringify(document, null, 2)}\n`);
    } catch (error) {
      throw new UsageError(`cannot write ${opts.output}: ${(error as Error).message}`);
    }
    return { document, output: opts.output, serverUrl: target?.url };
  }
  return { document, serverUrl: target?.url };
}

export const command = defineCommand({
  options: [
    {
      flags: '--url <url>',
      description: 'the server URL to put in the document (default: $PRODUCTS_API_URL, then the one setup recorded)',
    },
    { flags: '--output <file>', description: 'write the document to this file instead of stdout' },
  ],
  help: `Examples:
  $ products-cli openapi > openapi.json
  $ products-cli openapi --url https://abc123.execute-api.us-east-1.amazonaws.com/prod --output openapi.json

Generated from the same contract the function validates with: every route, schema, status and problem body.`,
  run: (_args: [], opts: OpenApiOptions, ctx) => openapi(opts, ctx),
  print: async (result, ctx) => {
    if (result.output !== undefined)
      note(
        ctx,
        `wrote ${result.output}${result.serverUrl ? ` (server ${result.serverUrl})` : ' (no server URL: no target is known)'}`,
      );
    else ctx.stdout.write(`${JSON.stringify(result.document, null, 2)}\n`);
  },
});
