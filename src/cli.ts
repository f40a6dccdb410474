/** The command line; see cli/main.ts. */
export { main } from './cli/main.js';
