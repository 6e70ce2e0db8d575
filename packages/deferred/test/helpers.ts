/** An Anvil chain with the escrow, and the calls the escrow tests make on it. */
import { DeferredDepositCollector, type EvmTestChain, TestUSDC } from '@x402-rails/testkit/anvil';
import {
  type Address,
  type Chain,
  createWalletClient,
  encodeAbiParameters,
  type Hex,
  http,
  keccak256,
  type LocalAccount,
  parseEventLogs,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
} from 'viem';
import { generatePrivateKey } from 'viem/accounts';
import { channelIdOf, type EscrowDomain } from '../src/eip712.js';
import { escrowAbi } from '../src/escrow-abi.js';
import { channelConfigArg, claimArgs, erc3009CollectorData } from '../src/escrow-calls.js';
import type { ChannelConfig, VoucherFields } from '../src/payload.js';

export const ZERO_ADDRESS: Address = '0x0000000000000000000000000000000000000000';

export function escrowHarness(chain: EvmTestChain, escrow: Address, collector: Address) {
  const domain: EscrowDomain = { chainId: chain.chainId, escrow };
  const clientOf = (account: LocalAccount): WalletClient<Transport, Chain, LocalAccount> =>
    createWalletClient({ chain: chain.chain, transport: http(chain.rpcUrl), account });
  const confirm = async (hash: Hex): Promise<TransactionReceipt> => {
    const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`);
    return receipt;
  };
  const relayer = chain.deployer.account;

  return {
    domain,
    escrow,
    collector,
    clientOf,
    confirm,
    channelId: (config: ChannelConfig) => channelIdOf(config, domain),
    config(
      payer: Address,
      receiver: Address,
      overrides: Partial<ChannelConfig> = {},
    ): ChannelConfig {
      return {
        payer,
        payerAuthorizer: payer,
        receiver,
        receiverAuthorizer: receiver,
        token: chain.token,
        withdrawDelay: 900,
        salt: generatePrivateKey(),
        ...overrides,
      };
    },
    /** ERC-20 approve then deposit, both sent by `from` (who pays). */
    async depositApproved(from: LocalAccount, config: ChannelConfig, amount: bigint) {
      const wallet = clientOf(from);
      await confirm(
        await wallet.writeContract({
          address: chain.token,
          abi: TestUSDC.abi,
          functionName: 'approve',
          args: [escrow, amount],
        }),
      );
      return confirm(
        await wallet.writeContract({
          address: escrow,
          abi: escrowAbi,
          functionName: 'deposit',
          args: [channelConfigArg(config), amount, ZERO_ADDRESS, '0x'],
        }),
      );
    },
    /** The payer signs an ERC-3009 ReceiveWithAuthorization to the collector; the relayer sends it. */
    async signDepositAuthorization(payer: LocalAccount, config: ChannelConfig, amount: bigint) {
      const salt = generatePrivateKey();
      const validBefore = BigInt(Math.floor(Date.now() / 1000) + 3600);
      const nonce = keccak256(
        encodeAbiParameters(
          [{ type: 'bytes32' }, { type: 'uint256' }],
          [channelIdOf(config, domain), BigInt(salt)],
        ),
      );
      const signature = await payer.signTypedData({
        domain: {
          name: 'USD Coin',
          version: '2',
          chainId: chain.chainId,
          verifyingContract: chain.token,
        },
        types: {
          ReceiveWithAuthorization: [
            { name: 'from', type: 'address' },
            { name: 'to', type: 'address' },
            { name: 'value', type: 'uint256' },
            { name: 'validAfter', type: 'uint256' },
            { name: 'validBefore', type: 'uint256' },
            { name: 'nonce', type: 'bytes32' },
          ],
        },
        primaryType: 'ReceiveWithAuthorization',
        message: {
          from: payer.address,
          to: collector,
          value: amount,
          validAfter: 0n,
          validBefore,
          nonce,
        },
      });
      return { validAfter: '0', validBefore: validBefore.toString(), salt, signature };
    },
    async depositGasless(
      config: ChannelConfig,
      amount: bigint,
      authorization: { validAfter: string; validBefore: string; salt: Hex; signature: Hex },
    ) {
      return confirm(
        await clientOf(relayer).writeContract({
          address: escrow,
          abi: escrowAbi,
          functionName: 'deposit',
          args: [channelConfigArg(config), amount, collector, erc3009CollectorData(authorization)],
        }),
      );
    },
    async claim(claims: { config: ChannelConfig; voucher: VoucherFields }[]) {
      return confirm(
        await clientOf(relayer).writeContract({
          address: escrow,
          abi: escrowAbi,
          functionName: 'claim',
          args: [claimArgs(claims)],
        }),
      );
    },
    async channel(config: ChannelConfig) {
      const [balance, totalClaimed] = await chain.publicClient.readContract({
        address: escrow,
        abi: escrowAbi,
        functionName: 'channels',
        args: [channelIdOf(config, domain)],
      });
      return { balance, totalClaimed };
    },
    events(receipt: TransactionReceipt) {
      return parseEventLogs({ abi: escrowAbi, logs: receipt.logs });
    },
    collectorAbi: DeferredDepositCollector.abi,
  };
}
