/** The local Solana answers kit's RPC client in Solana's own shapes. */

import {
  appendTransactionMessageInstructions,
  createSolanaRpc,
  createTransactionMessage,
  fetchEncodedAccount,
  getBase64EncodedWireTransaction,
  getSignatureFromTransaction,
  isSolanaError,
  pipe,
  SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
} from '@solana/kit';
import { getTransferCheckedInstruction } from '@solana-program/token';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEVNET_GENESIS_HASH,
  DEVNET_USDC,
  type SolanaTestChain,
  type SolanaTestWallet,
  startSolanaTestChain,
} from '../solana.js';

describe('local Solana JSON-RPC over LiteSVM', () => {
  let chain: SolanaTestChain;
  let rpc: ReturnType<typeof createSolanaRpc>;
  let payer: SolanaTestWallet;
  let merchant: SolanaTestWallet;

  beforeAll(async () => {
    chain = await startSolanaTestChain();
    rpc = createSolanaRpc(chain.rpcUrl);
    payer = await chain.newWallet({ usdc: 5_000_000n });
    merchant = await chain.newWallet({ usdc: 0n });
  });
  afterAll(() => chain.close());

  async function transfer(amount: bigint, decimals = 6) {
    const { value: blockhash } = await rpc.getLatestBlockhash().send();
    const message = pipe(
      createTransactionMessage({ version: 0 }),
      (m) => setTransactionMessageFeePayerSigner(payer.signer, m),
      (m) => setTransactionMessageLifetimeUsingBlockhash(blockhash, m),
      (m) =>
        appendTransactionMessageInstructions(
          [
            getTransferCheckedInstruction({
              source: chainAta(payer),
              mint: chain.usdc,
              destination: chainAta(merchant),
              authority: payer.signer,
              amount,
              decimals,
            }),
          ],
          m,
        ),
    );
    return signTransactionMessageWithSigners(message);
  }
  const atas = new Map<string, string>();
  function chainAta(w: SolanaTestWallet) {
    return atas.get(w.address) as never;
  }

  it('reports its genesis hash, health, slot and a derived network id', async () => {
    expect(await rpc.getGenesisHash().send()).toBe(chain.genesisHash);
    expect(chain.network).toBe(`solana:${chain.genesisHash.slice(0, 32)}`);
    expect(await rpc.getHealth().send()).toBe('ok');
    expect(typeof (await rpc.getSlot().send())).toBe('bigint');
    const devnet = await startSolanaTestChain({
      genesisHash: DEVNET_GENESIS_HASH,
      usdcAt: DEVNET_USDC,
    });
    expect(devnet.network).toBe('solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1');
    expect(devnet.usdc).toBe(DEVNET_USDC);
    await devnet.close();
  });

  it('serves accounts in base64 and token balances', async () => {
    atas.set(payer.address, await chain.ataOf(payer.address));
    atas.set(merchant.address, await chain.ataOf(merchant.address));
    const mint = await fetchEncodedAccount(rpc, chain.usdc);
    expect(mint.exists && mint.programAddress).toBe(chain.tokenProgram);
    expect(mint.exists && mint.data[44]).toBe(6);
    const balance = await rpc.getTokenAccountBalance(chainAta(payer)).send();
    expect(balance.value).toMatchObject({ amount: '5000000', decimals: 6 });
    const many = await rpc.getMultipleAccounts([chainAta(payer), merchant.signer.address]).send();
    expect(many.value).toHaveLength(2);
    expect((await rpc.getBalance(payer.address).send()).value).toBe(1_000_000_000n);
  });

  it('simulates, sends and reports a transfer', async () => {
    const tx = await transfer(1_500n);
    const wire = getBase64EncodedWireTransaction(tx);
    const simulated = await rpc
      .simulateTransaction(wire, { encoding: 'base64', sigVerify: true })
      .send();
    expect(simulated.value.err).toBeNull();
    const signature = await rpc.sendTransaction(wire, { encoding: 'base64' }).send();
    expect(signature).toBe(getSignatureFromTransaction(tx));
    const statuses = await rpc.getSignatureStatuses([signature]).send();
    expect(statuses.value[0]).toMatchObject({ err: null, confirmationStatus: 'finalized' });
    expect(await chain.tokenBalanceOf(merchant.address)).toBe(1_500n);
  });

  it('fails preflight with -32002 and the instruction error (wrong decimals: Custom 18)', async () => {
    const wire = getBase64EncodedWireTransaction(await transfer(1n, 9));
    const error = await rpc
      .sendTransaction(wire, { encoding: 'base64' })
      .send()
      .catch((e: unknown) => e);
    expect(
      isSolanaError(error, SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE),
    ).toBe(true);
    const raw = await fetch(chain.rpcUrl, {
      method: 'POST',
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'sendTransaction',
        params: [wire, { encoding: 'base64' }],
      }),
    }).then((r) => r.json());
    expect(raw.error).toMatchObject({
      code: -32002,
      data: { err: { InstructionError: [0, { Custom: 18 }] } },
    });
  });

  it('refuses an expired blockhash with BlockhashNotFound', async () => {
    const { value: old } = await rpc.getLatestBlockhash().send();
    const tx = await transfer(1n);
    chain.expireBlockhash();
    const wire = getBase64EncodedWireTransaction(tx);
    const simulated = await rpc
      .simulateTransaction(wire, { encoding: 'base64', sigVerify: true })
      .send();
    expect(simulated.value.err).toBe('BlockhashNotFound');
    const { value } = await rpc.isBlockhashValid(old.blockhash).send();
    expect(value).toBe(false);
  });

  it('answers unknown methods and bad JSON with JSON-RPC errors', async () => {
    const post = (body: string) =>
      fetch(chain.rpcUrl, { method: 'POST', body }).then((r) => r.json());
    expect((await post('{"jsonrpc":"2.0","id":1,"method":"nope"}')).error.code).toBe(-32601);
    expect((await post('{')).error.code).toBe(-32700);
    expect(
      (await post('{"jsonrpc":"2.0","id":1,"method":"getAccountInfo","params":["x"]}')).error.code,
    ).toBe(-32602);
  });
});
