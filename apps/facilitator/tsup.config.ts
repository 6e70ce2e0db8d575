import { cliBuild } from '../../tooling/tsup.js';

// An app, not a library: no declarations, and the CLI runs directly as `x402-rails-facilitator`.
export default cliBuild('src/cli.ts');
