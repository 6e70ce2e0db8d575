/** A local chain with the test token, and the rail's three roles wired to it. */
import type { PaymentPayload, PaymentRequirements, ResourceInfo } from '@x402-rails/core';
import {
  type EvmTestChain,
  startEvmTestChain,
  TEST_USDC,
  type TestWalletKey,
} from '@x402-rails/testkit/anvil';
import { type Hex, parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createEvmExactClient, type EvmExactClient } from '../src/client.js';
import {
  createEvmExactFacilitator,
  type EvmExactFacilitator,
  type EvmExactFacilitatorOptions,
  type EvmFacilitatorNetwork,
} from '../src/facilitator.js';
import type { EvmNetworkInput } from '../src/index.js';
import { createEvmExactServer } from '../src/server.js';

export const RESOURCE: ResourceInfo = { url: 'http://127.0.0.1/paid', description: 'test' };

export interface Rig {
  chain: EvmTestChain;
  network: EvmNetworkInput & { id: `eip155:${number}` };
  facilitatorNetwork: EvmFacilitatorNetwork;
  keys: Hex[];
  facilitator: EvmExactFacilitator;
  server: ReturnType<typeof createEvmExactServer>;
  payer: TestWalletKey;
  client: EvmExactClient;
  merchant: Hex;
  requirements: PaymentRequirements;
  makeFacilitator(options?: Partial<EvmExactFacilitatorOptions>): EvmExactFacilitator;
  pay(requirements?: PaymentRequirements, client?: EvmExactClient): Promise<PaymentPayload>;
  close(): Promise<void>;
}

export async function rig(
  options: { keys?: number; facilitator?: Partial<EvmExactFacilitatorOptions> } = {},
): Promise<Rig> {
  const chain = await startEvmTestChain();
  const asset = (address: Hex) => ({
    address,
    symbol: 'USDC',
    decimals: TEST_USDC.decimals,
    name: TEST_USDC.name,
    version: TEST_USDC.version,
  });
  const network = {
    id: chain.network,
    name: 'Anvil',
    testnet: true,
    blockTimeSeconds: 1,
    usdc: asset(chain.token),
    assets: [asset(chain.otherToken)],
  };
  const facilitatorNetwork: EvmFacilitatorNetwork = {
    ...network,
    rpcUrl: chain.rpcUrl,
    pollingIntervalMs: 5,
    // Anvil mines on arrival: the receipt comes with the send (EIP-7966).
    sendRawTransactionSync: true,
  };
  const keys = Array.from({ length: options.keys ?? 2 }, () => generatePrivateKey());
  await Promise.all(
    keys.map((k) => chain.setEth(privateKeyToAccount(k).address, parseEther('100'))),
  );
  const makeFacilitator = (extra: Partial<EvmExactFacilitatorOptions> = {}) =>
    createEvmExactFacilitator({
      networks: [facilitatorNetwork],
      signers: keys,
      eip6492Factories: [chain.walletFactory],
      // A stuck transaction fails a test with a message, before the test's own timeout.
      receiptTimeoutMs: 10_000,
      ...options.facilitator,
      ...extra,
    });
  const server = createEvmExactServer({ networks: [network] });
  const payer = await chain.newWallet({ usdc: 1_000_000_000n });
  const client = createEvmExactClient({ signer: payer.account });
  const merchant = (await chain.newWallet()).address;
  const requirements = await server.requirements({
    scheme: 'exact',
    network: chain.network,
    price: { money: '$0.01' },
    payTo: merchant,
    maxTimeoutSeconds: 60,
    request: new Request(RESOURCE.url),
  });
  const pay = async (req = requirements, c = client): Promise<PaymentPayload> => ({
    x402Version: 2,
    resource: RESOURCE,
    accepted: req,
    payload: (await c.create({ requirements: req, resource: RESOURCE })).payload,
  });
  return {
    chain,
    network,
    facilitatorNetwork,
    keys,
    facilitator: makeFacilitator(),
    server,
    payer,
    client,
    merchant,
    requirements,
    makeFacilitator,
    pay,
    close: () => chain.stop(),
  };
}
