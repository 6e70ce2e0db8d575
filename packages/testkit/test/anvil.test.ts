/**
 * The local EVM chain: Anvil starts on a free port and dies with its pid (or with its parent);
 * the test token behaves as USDC's EIP-3009 does, for EOAs, EIP-1271 wallets and counterfactual
 * wallets deployed through the factory; Multicall3 answers at its canonical address.
 */
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  type Address,
  encodeFunctionData,
  type Hex,
  hashDomain,
  type LocalAccount,
  parseSignature,
  serializeSignature,
} from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type EvmTestChain,
  Multicall3,
  startAnvil,
  startEvmTestChain,
  TEST_USDC,
  TestUSDC,
} from '../src/anvil.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitGone(pid: number, ms = 5000) {
  const deadline = Date.now() + ms;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  return !alive(pid);
}

describe('Anvil launcher', () => {
  it('binds 127.0.0.1 on a free port and is stopped by its pid', async () => {
    const [a, b] = await Promise.all([startAnvil(), startAnvil({ chainId: 8453 })]);
    try {
      expect(a.port).not.toBe(b.port);
      expect(a.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(Number(await b.rpc<string>('eth_chainId'))).toBe(8453);
      expect(alive(a.pid)).toBe(true);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    expect(await waitGone(a.pid)).toBe(true);
    expect(await waitGone(b.pid)).toBe(true);
    await a.stop(); // idempotent
  });

  it('leaves no node behind when its parent process is killed', async () => {
    const script = fileURLToPath(new URL('./fixtures/orphan-anvil.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
      child.once('exit', (code) => reject(new Error(`fixture exited early (${code})`)));
    });
    expect(alive(pid)).toBe(true);
    child.kill('SIGKILL');
    expect(await waitGone(pid)).toBe(true);
  });
});

describe('test contracts', () => {
  let chain: EvmTestChain;
  beforeAll(async () => {
    chain = await startEvmTestChain();
  });
  afterAll(async () => {
    await chain?.stop();
  });

  const read = <T>(functionName: string, args: readonly unknown[] = [], address = chain.token) =>
    chain.publicClient.readContract({
      address,
      abi: TestUSDC.abi,
      functionName,
      args,
    } as never) as Promise<T>;

  async function authorize(
    signer: LocalAccount,
    to: Address,
    value: bigint,
    primaryType:
      | 'TransferWithAuthorization'
      | 'ReceiveWithAuthorization' = 'TransferWithAuthorization',
    from: Address = signer.address,
  ) {
    const now = BigInt(Math.floor(Date.now() / 1000));
    const message = {
      from,
      to,
      value,
      validAfter: now - 60n,
      validBefore: now + 600n,
      nonce: `0x${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex')}` as Hex,
    };
    const fields = [
      { name: 'from', type: 'address' },
      { name: 'to', type: 'address' },
      { name: 'value', type: 'uint256' },
      { name: 'validAfter', type: 'uint256' },
      { name: 'validBefore', type: 'uint256' },
      { name: 'nonce', type: 'bytes32' },
    ] as const;
    const signature = await signer.signTypedData({
      domain: { ...TEST_USDC, chainId: chain.chainId, verifyingContract: chain.token },
      types: { [primaryType]: fields },
      primaryType,
      message,
    } as never);
    return { message, signature };
  }

  async function send(data: Hex, account: LocalAccount = chain.deployer.account) {
    const hash = await chain.publicClient.request({
      method: 'eth_sendRawTransaction',
      params: [
        await account.signTransaction({
          to: chain.token,
          data,
          chainId: chain.chainId,
          nonce: await chain.publicClient.getTransactionCount({
            address: account.address,
            blockTag: 'pending',
          }),
          gas: 300_000n,
          maxFeePerGas: 10_000_000_000n,
          maxPriorityFeePerGas: 1n,
          type: 'eip1559',
        }),
      ],
    });
    return chain.publicClient.waitForTransactionReceipt({ hash });
  }

  it('the token has USDC’s EIP-712 domain and decimals', async () => {
    expect(await read('name')).toBe('USD Coin');
    expect(await read('version')).toBe('2');
    expect(await read('decimals')).toBe(6);
    expect(await read('DOMAIN_SEPARATOR')).toBe(
      hashDomain({
        domain: {
          name: 'USD Coin',
          version: '2',
          chainId: BigInt(chain.chainId),
          verifyingContract: chain.token,
        },
        types: {
          EIP712Domain: [
            { name: 'name', type: 'string' },
            { name: 'version', type: 'string' },
            { name: 'chainId', type: 'uint256' },
            { name: 'verifyingContract', type: 'address' },
          ],
        },
      }),
    );
  });

  it('transferWithAuthorization: the v,r,s and the bytes overloads, once per nonce', async () => {
    const payer = await chain.newWallet({ usdc: 1_000_000n });
    const payee = await chain.newWallet();
    const a = await authorize(payer.account, payee.address, 1000n);
    const { v, r, s } = parseSignature(a.signature);
    const m = a.message;
    const base = [m.from, m.to, m.value, m.validAfter, m.validBefore, m.nonce] as const;
    const vrs = encodeFunctionData({
      abi: TestUSDC.abi,
      functionName: 'transferWithAuthorization',
      args: [...base, Number(v), r, s],
    });
    expect((await send(vrs)).status).toBe('success');
    expect(await read('authorizationState', [m.from, m.nonce])).toBe(true);
    // The same authorization again reverts (estimate with the node: it tells the revert string).
    await expect(
      chain.publicClient.call({ to: chain.token, data: vrs, account: chain.deployer.address }),
    ).rejects.toThrow(/authorization is used or canceled/);

    const b = await authorize(payer.account, payee.address, 2000n);
    const bytes = encodeFunctionData({
      abi: TestUSDC.abi,
      functionName: 'transferWithAuthorization',
      args: [
        b.message.from,
        b.message.to,
        b.message.value,
        b.message.validAfter,
        b.message.validBefore,
        b.message.nonce,
        b.signature,
      ],
    });
    expect((await send(bytes)).status).toBe('success');
    expect(await chain.balanceOf(payee.address)).toBe(3000n);
    expect(await chain.balanceOf(payer.address)).toBe(997_000n);
  });

  it('refuses a high-s signature and a wrong signer', async () => {
    const payer = await chain.newWallet({ usdc: 1_000_000n });
    const other = await chain.newWallet();
    const a = await authorize(payer.account, other.address, 10n);
    const sig = parseSignature(a.signature);
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const highS = serializeSignature({
      r: sig.r,
      s: `0x${(n - BigInt(sig.s)).toString(16).padStart(64, '0')}`,
      yParity: sig.yParity === 0 ? 1 : 0,
    });
    const m = a.message;
    const call = (signature: Hex) =>
      chain.publicClient.call({
        to: chain.token,
        account: chain.deployer.address,
        data: encodeFunctionData({
          abi: TestUSDC.abi,
          functionName: 'transferWithAuthorization',
          args: [m.from, m.to, m.value, m.validAfter, m.validBefore, m.nonce, signature],
        }),
      });
    await expect(call(highS)).rejects.toThrow(/invalid signature 's' value/);
    const forged = await authorize(other.account, other.address, 10n, undefined, payer.address);
    await expect(call(forged.signature)).rejects.toThrow(/FiatTokenV2: invalid signature/);
  });

  it('receiveWithAuthorization needs the payee as caller; cancelAuthorization burns a nonce', async () => {
    const payer = await chain.newWallet({ usdc: 1_000_000n });
    const payee = await chain.newWallet();
    const a = await authorize(payer.account, payee.address, 500n, 'ReceiveWithAuthorization');
    const m = a.message;
    const data = encodeFunctionData({
      abi: TestUSDC.abi,
      functionName: 'receiveWithAuthorization',
      args: [m.from, m.to, m.value, m.validAfter, m.validBefore, m.nonce, a.signature],
    });
    await expect(
      chain.publicClient.call({ to: chain.token, data, account: chain.deployer.address }),
    ).rejects.toThrow(/caller must be the payee/);
    expect((await send(data, payee.account)).status).toBe('success');
    expect(await chain.balanceOf(payee.address)).toBe(500n);

    const nonce = `0x${'ab'.repeat(32)}` as Hex;
    const cancel = await payer.account.signTypedData({
      domain: { ...TEST_USDC, chainId: chain.chainId, verifyingContract: chain.token },
      types: {
        CancelAuthorization: [
          { name: 'authorizer', type: 'address' },
          { name: 'nonce', type: 'bytes32' },
        ],
      },
      primaryType: 'CancelAuthorization',
      message: { authorizer: payer.address, nonce },
    });
    const receipt = await send(
      encodeFunctionData({
        abi: TestUSDC.abi,
        functionName: 'cancelAuthorization',
        args: [payer.address, nonce, cancel],
      }),
    );
    expect(receipt.status).toBe('success');
    expect(await read('authorizationState', [payer.address, nonce])).toBe(true);
  });

  it('pays from an EIP-1271 wallet and from a counterfactual wallet once its factory deployed it', async () => {
    const owner = await chain.newWallet();
    const payee = await chain.newWallet();
    const contractWallet = await chain.deployContractWallet(owner.address);
    await chain.mint(contractWallet, 1000n);
    const a = await authorize(owner.account, payee.address, 100n, undefined, contractWallet);
    const m = a.message;
    const pay = (signature: Hex, msg = m) =>
      encodeFunctionData({
        abi: TestUSDC.abi,
        functionName: 'transferWithAuthorization',
        args: [msg.from, msg.to, msg.value, msg.validAfter, msg.validBefore, msg.nonce, signature],
      });
    expect((await send(pay(a.signature))).status).toBe('success');

    const future = await chain.counterfactualWallet(owner.address);
    await chain.mint(future.address, 1000n);
    const b = await authorize(owner.account, payee.address, 200n, undefined, future.address);
    // Not deployed: the token takes the ECDSA path and the owner is not the wallet.
    await expect(
      chain.publicClient.call({
        to: chain.token,
        data: pay(b.signature, b.message),
        account: chain.deployer.address,
      }),
    ).rejects.toThrow(/invalid signature/);
    const deployed = await chain.publicClient.waitForTransactionReceipt({
      hash: await chain.publicClient.request({
        method: 'eth_sendRawTransaction',
        params: [
          await chain.deployer.account.signTransaction({
            to: future.factory,
            data: future.factoryCalldata,
            chainId: chain.chainId,
            nonce: await chain.publicClient.getTransactionCount({
              address: chain.deployer.address,
              blockTag: 'pending',
            }),
            gas: 1_000_000n,
            maxFeePerGas: 10_000_000_000n,
            maxPriorityFeePerGas: 1n,
            type: 'eip1559',
          }),
        ],
      }),
    });
    expect(deployed.status).toBe('success');
    expect(await chain.publicClient.getCode({ address: future.address })).toMatch(/^0x[0-9a-f]+$/);
    expect((await send(pay(b.signature, b.message))).status).toBe('success');
    expect(await chain.balanceOf(payee.address)).toBe(300n);
  });

  it('a blacklisted payer cannot pay', async () => {
    const payer = await chain.newWallet({ usdc: 1000n });
    await chain.blacklist(payer.address);
    expect(await read('isBlacklisted', [payer.address])).toBe(true);
    const a = await authorize(payer.account, chain.deployer.address, 1n);
    const m = a.message;
    await expect(
      chain.publicClient.call({
        to: chain.token,
        account: chain.deployer.address,
        data: encodeFunctionData({
          abi: TestUSDC.abi,
          functionName: 'transferWithAuthorization',
          args: [m.from, m.to, m.value, m.validAfter, m.validBefore, m.nonce, a.signature],
        }),
      }),
    ).rejects.toThrow(/account is blacklisted/);
  });

  it('Multicall3 answers at its canonical address', async () => {
    const payer = await chain.newWallet({ usdc: 42n });
    const results = await chain.publicClient.multicall({
      contracts: [
        {
          address: chain.token,
          abi: TestUSDC.abi,
          functionName: 'balanceOf',
          args: [payer.address],
        },
        { address: chain.token, abi: TestUSDC.abi, functionName: 'name' },
      ],
    });
    expect(results.map((r) => r.result)).toEqual([42n, 'USD Coin']);
    const chainId = await chain.publicClient.readContract({
      address: chain.multicall3,
      abi: Multicall3.abi,
      functionName: 'getChainId',
    });
    expect(chainId).toBe(BigInt(chain.chainId));
  });
});

describe('contract artifacts', () => {
  it("src/anvil/artifacts.ts and the rails' generated ABIs are what contracts/*.sol compile to", async () => {
    const script = fileURLToPath(new URL('../scripts/build-contracts.mjs', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [script, '--check']);
    expect(stdout).toContain('up to date');
  }, 60_000);
});
