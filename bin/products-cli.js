#!/usr/bin/env node
// The SDK warns about Node 20 on stderr; the CLI's output stays clean of it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { main } = await import('../build/cli.js');
process.exitCode = await main(process.argv);
