/** Toy-rail payments and facilitator calls for the tests. */
import type { PaymentRequirements } from '@x402-rails/core';
import {
  createToyChain,
  createToyClient,
  createToyWallet,
  type ToyWallet,
} from '@x402-rails/testkit';

export const TOKEN = 'test-token-0123456789';
export const AUTH = { authorization: `Bearer ${TOKEN}` };

export interface Funded {
  payer: ToyWallet;
  merchant: ToyWallet;
}

/** A payer with `balance` on the chain file, written before the facilitator starts. */
export function fundPayer(chainFile: string, balance = 10_000_000n): Funded {
  const payer = createToyWallet();
  createToyChain({ file: chainFile }).mint(payer.address, balance);
  return { payer, merchant: createToyWallet() };
}

export function toyRequirements(payTo: string, amount = '1000'): PaymentRequirements {
  return {
    scheme: 'exact',
    network: 'toy:local',
    amount,
    asset: 'TOY',
    payTo,
    maxTimeoutSeconds: 300,
  };
}

/** The body of POST /verify and /settle for a fresh payment by `payer`. */
export async function paymentRequest(funded: Funded, amount = '1000') {
  const requirements = toyRequirements(funded.merchant.address, amount);
  const { payload } = await createToyClient({ wallet: funded.payer }).create({
    requirements,
    resource: { url: 'http://127.0.0.1/paid' },
  });
  const nonce = (payload['transfer'] as { nonce: string }).nonce;
  return {
    nonce,
    body: {
      x402Version: 2,
      paymentPayload: { x402Version: 2, accepted: requirements, payload },
      paymentRequirements: requirements,
    },
  };
}

export async function post(
  url: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = AUTH,
) {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    json: (await response.json()) as Record<string, unknown>,
  };
}

/** The chain's transfers of `from` with `nonce`, read fresh from the file. */
export function transfersOf(chainFile: string, from: string, nonce: string) {
  return createToyChain({ file: chainFile }).transfers.filter(
    (t) => t.from === from && t.nonce === nonce,
  );
}

/** Parses one sample of a Prometheus text exposition, e.g. `name{a="b"}`. */
export function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
