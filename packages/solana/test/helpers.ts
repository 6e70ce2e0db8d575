/** A local Solana with a funded payer, a merchant, a fee payer and the three roles wired to it. */
import type { PaymentPayload, PaymentRequirements, ResourceInfo } from '@x402-rails/core';
import {
  type SolanaTestChain,
  type SolanaTestChainOptions,
  type SolanaTestWallet,
  startSolanaTestChain,
} from '@x402-rails/testkit/solana';
import { createSolanaExactClient } from '../src/client.js';
import type { SolanaExactFacilitatorOptions } from '../src/facilitator/options.js';
import { createSolanaExactFacilitator } from '../src/facilitator.js';
import { defineSolanaNetwork } from '../src/index.js';
import { createSolanaExactServer } from '../src/server.js';

export const RESOURCE: ResourceInfo = { url: 'http://127.0.0.1/paid', description: 'paid' };

export interface Rig {
  chain: SolanaTestChain;
  payer: SolanaTestWallet;
  merchant: SolanaTestWallet;
  feePayer: SolanaTestWallet;
  network: ReturnType<typeof defineSolanaNetwork>;
  client: ReturnType<typeof createSolanaExactClient>;
  server: ReturnType<typeof createSolanaExactServer>;
  facilitator: ReturnType<typeof createSolanaExactFacilitator>;
  makeFacilitator(
    over?: Partial<SolanaExactFacilitatorOptions>,
  ): ReturnType<typeof createSolanaExactFacilitator>;
  requirements: PaymentRequirements;
  pay(requirements?: PaymentRequirements, client?: Rig['client']): Promise<PaymentPayload>;
  close(): Promise<void>;
}

export async function rig(
  options: {
    chain?: SolanaTestChainOptions;
    facilitator?: Partial<SolanaExactFacilitatorOptions>;
  } = {},
): Promise<Rig> {
  const chain = await startSolanaTestChain(options.chain);
  const [payer, merchant, feePayer] = [
    await chain.newWallet({ usdc: 100_000_000n }),
    await chain.newWallet({ usdc: 0n }),
    await chain.newWallet({ sol: 10_000_000_000n }),
  ];
  const network = defineSolanaNetwork({
    genesisHash: chain.genesisHash,
    rpcUrl: chain.rpcUrl,
    usdc: { address: chain.usdc, tokenProgram: chain.tokenProgram },
  });
  const client = createSolanaExactClient({ signer: payer.secretKey, networks: [network] });
  const server = createSolanaExactServer({ networks: [network], feePayer: feePayer.address });
  const makeFacilitator = (over: Partial<SolanaExactFacilitatorOptions> = {}) =>
    createSolanaExactFacilitator({
      networks: [{ ...network, pollIntervalMs: 2 }],
      signers: [feePayer.secretKey],
      ...options.facilitator,
      ...over,
    });
  const facilitator = makeFacilitator();
  const requirements = await server.requirements({
    scheme: 'exact',
    network: network.id,
    price: { money: '0.01' },
    payTo: merchant.address,
    maxTimeoutSeconds: 60,
    request: new Request(RESOURCE.url),
  });
  async function pay(req = requirements, c = client): Promise<PaymentPayload> {
    const created = await c.create({ requirements: req, resource: RESOURCE });
    return { x402Version: 2, resource: RESOURCE, accepted: req, payload: created.payload };
  }
  return {
    chain,
    payer,
    merchant,
    feePayer,
    network,
    client,
    server,
    facilitator,
    makeFacilitator,
    requirements,
    pay,
    close: () => chain.close(),
  };
}
