/**
 * The official @x402/evm facilitator on a local chain, signing with `account` over viem — one
 * construction shared by the interop tests and the bench, so both compare against the same thing.
 */
import { toFacilitatorEvmSigner } from '@x402/evm';
import { ExactEvmScheme as OfficialEvmFacilitator } from '@x402/evm/exact/facilitator';
import { type Account, type Chain, createWalletClient, http, publicActions } from 'viem';

export function createOfficialFacilitator(
  chain: { chain: Chain; rpcUrl: string },
  account: Account,
) {
  const client = createWalletClient({
    account,
    chain: chain.chain,
    transport: http(chain.rpcUrl),
    pollingInterval: 5,
  }).extend(publicActions);
  return new OfficialEvmFacilitator(
    toFacilitatorEvmSigner({
      address: account.address,
      readContract: (args) => client.readContract(args as never),
      verifyTypedData: (args) => client.verifyTypedData(args as never),
      writeContract: (args) => client.writeContract(args as never),
      sendTransaction: (args) => client.sendTransaction(args),
      waitForTransactionReceipt: (args) => client.waitForTransactionReceipt(args),
      getCode: (args) => client.getCode(args),
    }),
  );
}
