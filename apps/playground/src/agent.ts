/**
 * The agent: a payment client with a funded toy wallet that calls every paid endpoint a few times
 * and reports each request, its price and its receipt, then the balances.
 */
import { formatAtomicAmount, type PaymentRequirements } from '@x402-rails/core';
import { createPaymentClient } from '@x402-rails/core/client';
import { TOY_ASSET, TOY_DECIMALS } from '@x402-rails/testkit';
import type { Playground } from './playground.js';

/** 0.1 TOY: a cap well above the playground's prices, so only a mispriced route is refused. */
export const AGENT_MAX_PER_REQUEST = '100000';

export interface PaidRequestResult {
  method: string;
  url: string;
  /** HTTP status of the final response; 0 when no response arrived. */
  status: number;
  /** Atomic amount paid (from the requirements), or the advertised amount when nothing was paid. */
  amount: string;
  asset: string;
  /** The same amount for people, e.g. `0.001 TOY`. */
  price: string;
  transaction?: string;
  payer?: string;
  /** 200-class response with a successful settlement receipt. */
  settled: boolean;
  error?: string;
}

export interface AgentRun {
  requests: PaidRequestResult[];
  allSettled: boolean;
  balances: { agent: bigint; merchant: bigint };
}

export interface AgentOptions {
  /** Default 3. */
  requestsPerEndpoint?: number;
  log?: (line: string) => void;
}

/** Decimals announced in the requirements' `extra` (the toy rail's), else the toy default. */
function humanPrice(requirements: Pick<PaymentRequirements, 'amount' | 'asset' | 'extra'>): string {
  const announced = requirements.extra?.['decimals'];
  const decimals = typeof announced === 'number' ? announced : TOY_DECIMALS;
  return `${formatAtomicAmount(requirements.amount, decimals)} ${requirements.asset}`;
}

function describe(result: PaidRequestResult): string {
  const head = `[agent] ${result.method} ${result.url} · ${result.price} · HTTP ${result.status}`;
  if (result.settled) return `${head} · tx ${result.transaction} · payer ${result.payer}`;
  return `${head} · NOT PAID: ${result.error ?? 'no receipt'}`;
}

export async function runAgent(
  playground: Pick<Playground, 'manifest' | 'agent' | 'balances'>,
  options: AgentOptions = {},
): Promise<AgentRun> {
  const log = options.log ?? (() => {});
  const rounds = options.requestsPerEndpoint ?? 3;
  const client = createPaymentClient({
    schemes: [playground.agent.client],
    policy: { maxPerRequest: { [TOY_ASSET]: AGENT_MAX_PER_REQUEST } },
  });

  const requests: PaidRequestResult[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const endpoint of playground.manifest.paidEndpoints) {
      const advertised = {
        amount: endpoint.amount,
        asset: endpoint.asset,
        extra: { decimals: endpoint.decimals },
      };
      const base = { method: endpoint.method, url: endpoint.url };
      let result: PaidRequestResult;
      try {
        const response = await client.fetch(endpoint.url, { method: endpoint.method });
        // Read the body so the keep-alive connection is free for the next request.
        await response.arrayBuffer();
        const receipt = client.receiptOf(response);
        const settlement = receipt?.settlement;
        const requirements = receipt?.requirements ?? advertised;
        const settled =
          response.ok && settlement?.success === true && settlement.transaction !== '';
        result = {
          ...base,
          status: response.status,
          amount: requirements.amount,
          asset: requirements.asset,
          price: humanPrice(requirements),
          settled,
          ...(settlement?.transaction ? { transaction: settlement.transaction } : {}),
          ...(settlement?.payer ? { payer: settlement.payer } : {}),
          ...(settled
            ? {}
            : {
                error:
                  settlement?.errorReason ??
                  receipt?.error ??
                  `HTTP ${response.status} without a payment`,
              }),
        };
      } catch (error) {
        result = {
          ...base,
          status: 0,
          amount: endpoint.amount,
          asset: endpoint.asset,
          price: humanPrice(advertised),
          settled: false,
          error: error instanceof Error ? error.message : String(error),
        };
      }
      requests.push(result);
      log(describe(result));
    }
  }

  const balances = playground.balances();
  log(
    `[agent] balances · agent ${formatAtomicAmount(balances.agent, TOY_DECIMALS)} ${TOY_ASSET}` +
      ` · merchant ${formatAtomicAmount(balances.merchant, TOY_DECIMALS)} ${TOY_ASSET}`,
  );
  return { requests, allSettled: requests.every((request) => request.settled), balances };
}
