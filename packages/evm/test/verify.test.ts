/**
 * Facilitator verify against Anvil: every check has its own reason, and a test here. Also the
 * signature kinds (EOA, EIP-1271 wallet, EIP-6492 counterfactual wallet) and the round-trip count.
 */
import type { PaymentPayload, PaymentRequirements } from '@x402-rails/core';
import {
  type Hex,
  type LocalAccount,
  parseSignature,
  serializeErc6492Signature,
  serializeSignature,
} from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvmExactClient } from '../src/client.js';
import { createHttpRpc, type EvmRpc, useRecoveryBackend } from '../src/facilitator.js';
import { EvmReason } from '../src/index.js';
import { SECP256K1_N } from '../src/recover.js';
import { type Rig, rig } from './helpers.js';

let r: Rig;
beforeAll(async () => {
  r = await rig();
});
afterAll(() => r?.close());

/** A client paying as `from` with `signer`'s signatures (contract wallets, forgeries). */
function clientAs(from: Hex, signer: Pick<LocalAccount, 'signTypedData'>) {
  return createEvmExactClient({ signer: { address: from, signTypedData: signer.signTypedData } });
}

async function reason(payload: PaymentPayload, req: PaymentRequirements = payload.accepted) {
  const result = await r.facilitator.verify({ ...payload, accepted: req }, req);
  return result.isValid ? 'valid' : result.invalidReason;
}

describe('verify', () => {
  it('accepts a valid EOA payment, and reports the payer', async () => {
    expect(await r.facilitator.verify(await r.pay(), r.requirements)).toEqual({
      isValid: true,
      payer: r.payer.address,
    });
  });

  it('gives the same answers with the JS recovery backend', async () => {
    useRecoveryBackend('js');
    try {
      expect(await reason(await r.pay())).toBe('valid');
      const forger = privateKeyToAccount(generatePrivateKey());
      expect(await reason(await r.pay(r.requirements, clientAs(r.payer.address, forger)))).toBe(
        EvmReason.signature,
      );
    } finally {
      useRecoveryBackend(undefined);
    }
  });

  it('scheme: invalid_scheme', async () => {
    expect(await reason(await r.pay(), { ...r.requirements, scheme: 'upto' })).toBe(
      EvmReason.invalidScheme,
    );
  });

  it('network not served: invalid_network', async () => {
    expect(await reason(await r.pay(), { ...r.requirements, network: 'eip155:999' })).toBe(
      EvmReason.invalidNetwork,
    );
  });

  it('malformed payload: invalid_payload', async () => {
    const payload = await r.pay();
    expect(await reason({ ...payload, payload: { signature: '0x1234' } })).toBe('invalid_payload');
  });

  it('an asset that is no address: invalid_payment_requirements', async () => {
    const payload = await r.pay();
    expect(await reason(payload, { ...r.requirements, asset: 'USDC' })).toBe(
      'invalid_payment_requirements',
    );
  });

  it('asset not accepted on the network: invalid_exact_evm_asset_not_accepted', async () => {
    const req = { ...r.requirements, asset: privateKeyToAccount(generatePrivateKey()).address };
    expect(await reason(await r.pay(req), req)).toBe(EvmReason.assetNotAccepted);
  });

  it('asset without code: asset_not_deployed_contract', async () => {
    const any = r.makeFacilitator({ acceptAnyAsset: true });
    const req = { ...r.requirements, asset: privateKeyToAccount(generatePrivateKey()).address };
    const result = await any.verify(await r.pay(req), req);
    expect(result.invalidReason).toBe(EvmReason.assetNotContract);
  });

  it('EIP-712 domain missing: invalid_exact_evm_missing_eip712_domain', async () => {
    const payload = await r.pay();
    expect(await reason(payload, { ...r.requirements, extra: { name: 'USD Coin' } })).toBe(
      EvmReason.missingDomain,
    );
  });

  it('a wrong EIP-712 name or version is caught off the simulation, though the signature matches it', async () => {
    const wrongName = { ...r.requirements, extra: { name: 'USDC', version: '2' } };
    const wrongVersion = { ...r.requirements, extra: { name: 'USD Coin', version: '1' } };
    // The client signs with the wrong domain, so the signature recovers to the payer off chain.
    const a = await r.pay(wrongName);
    expect(r.facilitator.verifyOffchain(a, wrongName).isValid).toBe(true);
    expect(await reason(a)).toBe(EvmReason.tokenNameMismatch);
    expect(await reason(await r.pay(wrongVersion))).toBe(EvmReason.tokenVersionMismatch);
  });

  it('a token whose DOMAIN_SEPARATOR differs from the domain: invalid_exact_evm_eip712_domain_mismatch', async () => {
    // An RPC that reports another separator (and no Multicall3, which also exercises that path).
    const inner = createHttpRpc({ url: r.chain.rpcUrl });
    const lying: EvmRpc = {
      request: (method, params) => inner.request(method, params),
      async batch(requests) {
        const results = await inner.batch(requests);
        return results.map((result, i) => {
          const req = requests[i];
          const call = req?.method === 'eth_call' ? (req.params[0] as { data: string }) : undefined;
          return call?.data === '0x3644e515' ? { ok: true, value: `0x${'ab'.repeat(32)}` } : result;
        });
      },
    };
    const facilitator = r.makeFacilitator({
      networks: [{ ...r.facilitatorNetwork, rpc: lying, multicall3: null }],
    });
    const payload = await r.pay();
    const result = await facilitator.verify(payload, r.requirements);
    expect(result.invalidReason).toBe(EvmReason.domainMismatch);
  });

  it('signed by someone else: invalid_exact_evm_payload_signature', async () => {
    const forger = privateKeyToAccount(generatePrivateKey());
    const payload = await r.pay(r.requirements, clientAs(r.payer.address, forger));
    expect(await reason(payload)).toBe(EvmReason.signature);
  });

  it('a high-s signature: invalid_exact_evm_payload_signature_high_s', async () => {
    const payload = await r.pay();
    const p = payload.payload as { signature: Hex };
    const sig = parseSignature(p.signature);
    const highS = serializeSignature({
      r: sig.r,
      s: `0x${(SECP256K1_N - BigInt(sig.s)).toString(16).padStart(64, '0')}`,
      yParity: sig.yParity === 0 ? 1 : 0,
    });
    expect(await reason({ ...payload, payload: { ...p, signature: highS } })).toBe(
      EvmReason.signatureHighS,
    );
  });

  it('an EIP-1271 contract wallet: valid when its owner signed, refused otherwise', async () => {
    const owner = privateKeyToAccount(generatePrivateKey());
    const wallet = await r.chain.deployContractWallet(owner.address);
    await r.chain.mint(wallet, 1_000_000n);
    expect(await reason(await r.pay(r.requirements, clientAs(wallet, owner)))).toBe('valid');
    const stranger = privateKeyToAccount(generatePrivateKey());
    expect(await reason(await r.pay(r.requirements, clientAs(wallet, stranger)))).toBe(
      EvmReason.signature,
    );
  });

  describe('EIP-6492 counterfactual wallets', () => {
    async function counterfactualPayment(signer = privateKeyToAccount(generatePrivateKey())) {
      const owner = privateKeyToAccount(generatePrivateKey());
      const future = await r.chain.counterfactualWallet(owner.address);
      await r.chain.mint(future.address, 1_000_000n);
      const payload = await r.pay(r.requirements, clientAs(future.address, signer));
      const p = payload.payload as { signature: Hex };
      return {
        owner,
        future,
        wrap: (inner: Hex) => ({
          ...payload,
          payload: {
            ...p,
            signature: serializeErc6492Signature({
              address: future.factory,
              data: future.factoryCalldata,
              signature: inner,
            }),
          },
        }),
        signature: p.signature,
      };
    }

    it('valid when the allow-listed factory deploys a wallet that accepts the inner signature', async () => {
      const owner = privateKeyToAccount(generatePrivateKey());
      const future = await r.chain.counterfactualWallet(owner.address);
      await r.chain.mint(future.address, 1_000_000n);
      const payload = await r.pay(r.requirements, clientAs(future.address, owner));
      const p = payload.payload as { signature: Hex };
      const wrapped = {
        ...payload,
        payload: {
          ...p,
          signature: serializeErc6492Signature({
            address: future.factory,
            data: future.factoryCalldata,
            signature: p.signature,
          }),
        },
      };
      expect(await reason(wrapped)).toBe('valid');
      // Verify deploys nothing.
      expect(await r.chain.publicClient.getCode({ address: future.address })).toBeUndefined();
    });

    it('its inner signature is checked too: invalid_exact_evm_payload_signature', async () => {
      const c = await counterfactualPayment(); // signed by a stranger, not the owner
      expect(await reason(c.wrap(c.signature as Hex))).toBe(EvmReason.signature);
    });

    it('a factory call that fails: smart_wallet_deployment_failed', async () => {
      const c = await counterfactualPayment();
      const p = c.wrap(c.signature as Hex);
      const broken = {
        ...p,
        payload: {
          ...p.payload,
          signature: serializeErc6492Signature({
            address: c.future.factory,
            data: '0xdeadbeef',
            signature: c.signature as Hex,
          }),
        },
      };
      expect(await reason(broken)).toBe(EvmReason.walletDeploymentFailed);
    });

    it('no Multicall3 to simulate the deployment in: invalid_exact_evm_payload_undeployed_smart_wallet', async () => {
      const c = await counterfactualPayment();
      const bare = r.makeFacilitator({ networks: [{ ...r.facilitatorNetwork, multicall3: null }] });
      expect((await bare.verify(c.wrap(c.signature as Hex), r.requirements)).invalidReason).toBe(
        EvmReason.undeployedWallet,
      );
    });

    it('a factory off the allow-list: eip6492_factory_not_allowed', async () => {
      const c = await counterfactualPayment();
      const strict = r.makeFacilitator({ eip6492Factories: [] });
      const payload = c.wrap(c.signature as Hex);
      expect((await strict.verify(payload, r.requirements)).invalidReason).toBe(
        EvmReason.factoryNotAllowed,
      );
    });
  });

  it('to differs from payTo: invalid_exact_evm_payload_recipient_mismatch', async () => {
    const other = privateKeyToAccount(generatePrivateKey()).address;
    expect(await reason(await r.pay(), { ...r.requirements, payTo: other })).toBe(
      EvmReason.recipientMismatch,
    );
  });

  it('value differs from the amount: invalid_exact_evm_payload_authorization_value_mismatch', async () => {
    expect(await reason(await r.pay(), { ...r.requirements, amount: '10001' })).toBe(
      EvmReason.valueMismatch,
    );
  });

  it('validAfter in the future: invalid_exact_evm_payload_authorization_valid_after', async () => {
    const later = createEvmExactClient({
      signer: r.payer.account,
      now: () => Date.now() + 3_600_000,
    });
    expect(await reason(await r.pay(r.requirements, later))).toBe(EvmReason.validAfter);
  });

  it('validBefore passed or within the block-time buffer: invalid_exact_evm_payload_authorization_valid_before', async () => {
    const earlier = createEvmExactClient({
      signer: r.payer.account,
      now: () => Date.now() - 600_000,
    });
    expect(await reason(await r.pay(r.requirements, earlier))).toBe(EvmReason.validBefore);
    const short = { ...r.requirements, maxTimeoutSeconds: 3 };
    expect(await reason(await r.pay(short))).toBe(EvmReason.validBefore);
  });

  it('validBefore further than maxTimeoutSeconds allows: …_valid_before_too_far', async () => {
    const long = await r.pay({ ...r.requirements, maxTimeoutSeconds: 3600 });
    expect(await reason(long, r.requirements)).toBe(EvmReason.validBeforeTooFar);
  });

  it('a used nonce: invalid_exact_evm_nonce_already_used', async () => {
    const payload = await r.pay();
    expect((await r.facilitator.settle(payload, r.requirements)).success).toBe(true);
    expect(await reason(payload)).toBe(EvmReason.nonceUsed);
  });

  it('balance too low: insufficient_funds', async () => {
    const poor = await r.chain.newWallet({ usdc: 9_999n });
    const client = createEvmExactClient({ signer: poor.account });
    expect(await reason(await r.pay(r.requirements, client))).toBe(EvmReason.insufficientFunds);
  });

  it('the transfer would revert (blacklisted payer): invalid_exact_evm_transaction_simulation_failed', async () => {
    const listed = await r.chain.newWallet({ usdc: 1_000_000n });
    await r.chain.blacklist(listed.address);
    const client = createEvmExactClient({ signer: listed.account });
    const result = await r.facilitator.verify(await r.pay(r.requirements, client), r.requirements);
    expect(result.invalidReason).toBe(EvmReason.simulationFailed);
    expect(result.invalidMessage).toMatch(/blacklisted/);
  });

  it('is one round trip on a warm cache (one HTTP request for all the chain reads)', async () => {
    let posts = 0;
    const counting: typeof fetch = (input, init) => {
      posts++;
      return fetch(input, init);
    };
    const facilitator = r.makeFacilitator({
      networks: [
        { ...r.facilitatorNetwork, rpc: createHttpRpc({ url: r.chain.rpcUrl, fetch: counting }) },
      ],
    });
    expect((await facilitator.verify(await r.pay(), r.requirements)).isValid).toBe(true);
    expect(posts).toBe(1); // even cold: chain id, asset code and domain ride in the same batch
    posts = 0;
    expect((await facilitator.verify(await r.pay(), r.requirements)).isValid).toBe(true);
    expect(posts).toBe(1);
  });
});
