/** What redemption asks of the chain, as a narrow interface over a viem public client. */
import {
  type Hex,
  type LocalAccount,
  type PublicClient,
  parseEventLogs,
  type TransactionReceipt,
} from 'viem';
import { escrowAbi } from '../escrow-abi.js';

export type RedeemChainClient = Pick<
  PublicClient,
  | 'readContract'
  | 'getTransactionCount'
  | 'getTransactionReceipt'
  | 'getTransaction'
  | 'estimateGas'
  | 'estimateFeesPerGas'
  | 'sendRawTransaction'
  | 'waitForTransactionReceipt'
  | 'getLogs'
>;

/** A key that signs transactions locally (so the hash is known before sending). */
export type RedeemSigner = Pick<LocalAccount, 'address' | 'signTransaction'>;

export interface ClaimedEvent {
  channelId: Hex;
  amount: bigint;
  totalClaimed: bigint;
}

/** The escrow's `Claimed` events in a receipt (other contracts' logs are ignored). */
export function claimedEvents(receipt: TransactionReceipt, escrow: Hex): ClaimedEvent[] {
  const logs = receipt.logs.filter((log) => log.address.toLowerCase() === escrow.toLowerCase());
  return parseEventLogs({ abi: escrowAbi, logs, eventName: 'Claimed' }).map((e) => ({
    channelId: e.args.channelId.toLowerCase() as Hex,
    amount: e.args.amount,
    totalClaimed: e.args.totalClaimed,
  }));
}

/** A receipt, or undefined while the transaction is not mined (viem throws for "not found"). */
export async function receiptOf(
  client: RedeemChainClient,
  hash: Hex,
): Promise<TransactionReceipt | undefined> {
  try {
    return await client.getTransactionReceipt({ hash });
  } catch (error) {
    if (error instanceof Error && error.name === 'TransactionReceiptNotFoundError')
      return undefined;
    throw error;
  }
}

/** Whether a node knows the transaction (mined or in its pool). */
export async function isKnown(client: RedeemChainClient, hash: Hex): Promise<boolean> {
  try {
    await client.getTransaction({ hash });
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'TransactionNotFoundError') return false;
    throw error;
  }
}

/** Channel ids whose withdrawal started in `[fromBlock, toBlock]` (the withdrawal trigger). */
export async function withdrawalsInitiated(
  client: RedeemChainClient,
  escrow: Hex,
  fromBlock: bigint,
  toBlock?: bigint,
): Promise<Hex[]> {
  const event = escrowAbi.find(
    (item) => item.type === 'event' && item.name === 'WithdrawInitiated',
  );
  if (event?.type !== 'event') throw new Error('escrow ABI lacks WithdrawInitiated');
  const logs = await client.getLogs({
    address: escrow,
    event,
    fromBlock,
    ...(toBlock !== undefined ? { toBlock } : {}),
  });
  const ids = new Set<Hex>();
  for (const log of logs) {
    const id = (log.args as { channelId?: Hex }).channelId;
    if (id) ids.add(id.toLowerCase() as Hex);
  }
  return [...ids];
}
