/**
 * The built package, loaded the way users load it (a plain `node`, outside the test runner's
 * resolver): error classes reached through two subpaths must be one class under both `require`
 * and `import` (tsup splitting shares the module).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const built = existsSync(new URL('../dist/index.cjs', import.meta.url));

function runNode(args: string[]): string {
  return execFileSync(process.execPath, args, {
    cwd: packageDir,
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '' },
  }).trim();
}

const CJS_CHECK = `
const root = require('@x402-rails/core');
const client = require('@x402-rails/core/client');
const server = require('@x402-rails/core/server');
const facilitator = require('@x402-rails/core/facilitator');
let thrown;
try { root.decodePaymentSignatureHeader('%%%'); } catch (e) { thrown = e; }
console.log(JSON.stringify({
  resolved: require.resolve('@x402-rails/core/client'),
  clientSame: client.X402Error === root.X402Error,
  serverSame: server.X402Error === root.X402Error,
  facilitatorSame: facilitator.X402Error === root.X402Error,
  refusedSame: client.PaymentRefusedError === root.PaymentRefusedError,
  crossInstanceof: thrown instanceof server.PayloadDecodeError && thrown instanceof client.X402Error,
  code: thrown && thrown.code,
}));`;

const ESM_CHECK = `
const [root, client, server, facilitator] = await Promise.all(
  ['@x402-rails/core', '@x402-rails/core/client', '@x402-rails/core/server', '@x402-rails/core/facilitator'].map((m) => import(m)));
let thrown;
try { client.X402Error && root.decodePaymentSignatureHeader('%%%'); } catch (e) { thrown = e; }
console.log(JSON.stringify({
  resolved: import.meta.resolve('@x402-rails/core/client'),
  clientSame: client.X402Error === root.X402Error,
  serverSame: server.X402Error === root.X402Error,
  facilitatorSame: facilitator.X402Error === root.X402Error,
  crossInstanceof: thrown instanceof server.PayloadDecodeError && thrown instanceof facilitator.X402Error,
}));`;

describe('built package', () => {
  it('has been built (turbo runs build before test)', () => {
    expect(built, 'run `pnpm build` first: dist/index.cjs is missing').toBe(true);
  });

  it('CJS: one X402Error class across ., ./client, ./server and ./facilitator', () => {
    const result = JSON.parse(runNode(['-e', CJS_CHECK]));
    expect(result).toEqual({
      resolved: expect.stringMatching(/dist[\\/]client\.cjs$/),
      clientSame: true,
      serverSame: true,
      facilitatorSame: true,
      refusedSame: true,
      crossInstanceof: true,
      code: 'invalid_payload',
    });
  });

  it('ESM: one X402Error class across subpaths', () => {
    const result = JSON.parse(runNode(['--input-type=module', '-e', ESM_CHECK]));
    expect(result).toEqual({
      resolved: expect.stringMatching(/dist\/client\.js$/),
      clientSame: true,
      serverSame: true,
      facilitatorSame: true,
      crossInstanceof: true,
    });
  });
});
