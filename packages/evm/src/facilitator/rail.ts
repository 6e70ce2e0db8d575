/**
 * The facilitator role of the EVM exact rail. Verify runs the checks that need no chain first
 * (fields, time window, EIP-712 digest and ECDSA recovery), then gathers every chain read in one
 * JSON-RPC batch (one round trip: payer code, and one Multicall3 call with the token's domain when
 * not cached, the EIP-1271 answer, the nonce state, the balance and the transfer simulation).
 * Settle claims the payment in process before sending, re-verifies, sends through a pool of keys
 * and watches the receipt.
 */
import {
  ConfigError,
  type FacilitatorContext,
  type Network,
  type PaymentPayload,
  type PaymentRequirements,
  type RailPaymentStatus,
  type SchemeFacilitator,
  type SettleResponse,
  type VerifyResponse,
  X402Error,
} from '@x402-rails/core';
import { getAddress, type Hex, type LocalAccount } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { authorizationDigest, domainSeparator, toHex } from '../eip3009.js';
import {
  defineEvmNetwork,
  type EvmNetwork,
  type EvmNetworkInput,
  findAsset,
  MULTICALL3,
} from '../networks.js';
import { type ParsedPayload, parseExactEvmPayload } from '../payload.js';
import { exactEvmPaymentId } from '../payment-id.js';
import { EvmReason } from '../reasons.js';
import { createHttpRpc, type EvmRpc, RpcError, type RpcRequest, type RpcResult } from '../rpc.js';
import {
  type ClassifiedSignature,
  classifySignature,
  type EcdsaCheck,
  ecdsaSigner,
} from '../signature.js';
import {
  decodeAggregate3,
  decodeBool,
  decodeString,
  decodeUint,
  ERC1271_MAGIC,
  encode,
  revertMessage,
  TOPIC,
  transferWithAuthorizationData,
} from './abi.js';
import { type ReceiptLog, ReceiptWatcher, type TransactionReceipt } from './receipts.js';
import { type Fees, feeRequests, readFees, type SigningKey, TransactionSender } from './sender.js';

export interface EvmFacilitatorNetwork extends EvmNetworkInput {
  /** JSON-RPC endpoint (or give `rpc`). */
  rpcUrl?: string;
  /** A JSON-RPC client of your own (tests, custom transports). */
  rpc?: EvmRpc;
  /** How often receipts are polled (default: a quarter of the block time; a few ms on a local node). */
  pollingIntervalMs?: number;
  /**
   * Send with `eth_sendRawTransactionSync` (EIP-7966), which answers with the receipt: one round
   * trip less per settlement on nodes that include transactions at once (Anvil, dev nodes). The
   * sending key waits for the answer, so leave it off where blocks take seconds (default false).
   */
  sendRawTransactionSync?: boolean;
}

export interface EvmExactFacilitatorOptions {
  /** The networks this facilitator serves, each with its RPC endpoint. */
  networks: readonly EvmFacilitatorNetwork[];
  /** Facilitator keys that pay the gas: viem local accounts or private keys. Several pipeline sends. */
  signers: readonly (LocalAccount | Hex)[];
  /** EIP-6492 factories trusted to deploy counterfactual payer wallets (default none). */
  eip6492Factories?: readonly string[];
  /** Accept any EIP-3009 token, not only the network's listed assets (default false). */
  acceptAnyAsset?: boolean;
  /** Blocks a settlement waits for (default 1). */
  confirmations?: number;
  /** How long settle waits for the receipt before reporting the settlement pending (default 120 s). */
  receiptTimeoutMs?: number;
  /** Highest fee per gas (wei) the facilitator pays; above it nothing is sent. */
  maxFeePerGas?: bigint;
  /** Tolerated difference between the payer's clock and ours (default 30 s). */
  clockSkewSeconds?: number;
  /** An authorization must stay valid at least this long to be accepted (default 2 blocks, at least 6 s). */
  expiryBufferSeconds?: number;
  /** How far back status() looks for the transaction that used an authorization (default 50,000 blocks). */
  logLookbackBlocks?: number;
  /** Gas limit = estimate × this / 100 (default 125). */
  gasMarginPercent?: number;
  /** Clock in milliseconds (tests). */
  now?: () => number;
  /** Test hooks: `afterBroadcast` runs once the node has the transaction, before the receipt is awaited. */
  hooks?: {
    afterBroadcast?(event: { paymentId: string; transaction: Hex }): void | Promise<void>;
  };
}

export interface EvmExactFacilitator extends SchemeFacilitator {
  /** The facilitator's key addresses. */
  readonly addresses: readonly Hex[];
  /**
   * Verify without the chain: scheme, network, fields, time window, EIP-712 digest and an EOA's
   * signature. What remains for `verify` is the payer's code, nonce state, balance and simulation.
   */
  verifyOffchain(payload: PaymentPayload, requirements: PaymentRequirements): VerifyResponse;
}

interface AssetFacts {
  hasCode: boolean;
  /** The token's own domain, once read. */
  separator?: string;
  name?: string;
  version?: string;
}

interface NetState {
  network: EvmNetwork;
  rpc: EvmRpc;
  watcher: ReceiptWatcher;
  sender: TransactionSender;
  chainChecked: boolean;
  assets: Map<string, AssetFacts>;
  multicall: Hex | null;
  fees?: { value: Omit<Fees, 'current'> & { baseFee: bigint }; at: number };
  /** Gas estimates of an EOA's transferWithAuthorization per token (the largest seen, refreshed). */
  gasEstimates: Map<string, { gas: bigint; at: number }>;
}

/** How long a token's gas estimate is reused before it is estimated again. */
const GAS_ESTIMATE_TTL_MS = 10 * 60_000;

type Failure = {
  ok: false;
  reason: string;
  message: string;
  payer?: string;
  usedOnChain?: boolean;
};

interface Prechecked {
  ok: true;
  state: NetState;
  p: ParsedPayload;
  payer: Hex;
  asset: Hex;
  digest: Uint8Array;
  signature: ClassifiedSignature;
  ecdsa: EcdsaCheck | undefined;
  domain: { name: string; version: string; separator: string };
}

interface Verified extends Omit<Prechecked, 'ok'> {
  ok: true;
  /** The payer is a contract, or becomes one through `signature.deployment`. */
  contractWallet: boolean;
  counterfactual: boolean;
  gas?: bigint;
  fees?: Fees;
}

const fail = (reason: string, message: string, payer?: string): Failure => ({
  ok: false,
  reason,
  message,
  ...(payer ? { payer } : {}),
});

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const UINT = /^(0|[1-9][0-9]{0,77})$/;

/** Maps a revert message of the token (USDC's strings and common custom errors) to a reason. */
export function reasonForRevert(message: string | undefined, fallback: string): string {
  if (!message) return fallback;
  if (/used or canceled|AuthorizationUsed|AuthorizationAlreadyUsed/i.test(message))
    return EvmReason.nonceUsed;
  if (/not yet valid|AuthorizationNotYetValid/i.test(message)) return EvmReason.validAfter;
  if (/authorization is expired|AuthorizationExpired/i.test(message)) return EvmReason.validBefore;
  if (/invalid signature|ECRecover|SignerMismatch|InvalidSignature/i.test(message))
    return EvmReason.signature;
  if (/exceeds balance|insufficient balance|ERC20InsufficientBalance/i.test(message))
    return EvmReason.insufficientFunds;
  return fallback;
}

function errorText(error: unknown): string {
  if (error instanceof RpcError) return revertMessage(error.data) ?? error.message;
  return error instanceof Error ? error.message : String(error);
}

/**
 * @example
 * const facilitator = createEvmExactFacilitator({
 *   networks: [{ id: 'eip155:8453', rpcUrl: 'https://mainnet.base.org' }],
 *   signers: [process.env.FACILITATOR_KEY as `0x${string}`],
 * });
 */
export function createEvmExactFacilitator(
  options: EvmExactFacilitatorOptions,
): EvmExactFacilitator {
  if (options.signers.length === 0)
    throw new ConfigError('The EVM facilitator needs at least one signer');
  const keys: SigningKey[] = options.signers.map((s) =>
    typeof s === 'string' ? { account: privateKeyToAccount(s), privateKey: s } : { account: s },
  );
  const accounts = keys.map((k) => k.account);
  const now = options.now ?? Date.now;
  const skew = options.clockSkewSeconds ?? 30;
  const confirmations = options.confirmations ?? 1;
  const receiptTimeoutMs = options.receiptTimeoutMs ?? 120_000;
  const lookback = BigInt(options.logLookbackBlocks ?? 50_000);
  const gasMargin = BigInt(options.gasMarginPercent ?? 125);
  const factories = new Set((options.eip6492Factories ?? []).map((f) => f.toLowerCase()));
  const nets = new Map<string, NetState>();
  for (const config of options.networks) {
    const network = defineEvmNetwork(config);
    const rpc =
      config.rpc ??
      (config.rpcUrl
        ? createHttpRpc({ url: config.rpcUrl })
        : (() => {
            throw new ConfigError(`${network.id}: give rpcUrl or rpc`);
          })());
    const interval =
      config.pollingIntervalMs ?? Math.max(50, (network.blockTimeSeconds * 1000) / 4);
    nets.set(network.id, {
      network,
      rpc,
      watcher: new ReceiptWatcher(rpc, interval),
      sender: new TransactionSender(rpc, network.chainId, keys, config.sendRawTransactionSync),
      gasEstimates: new Map(),
      chainChecked: false,
      assets: new Map(),
      multicall: network.multicall3 === null ? null : (network.multicall3 ?? MULTICALL3),
    });
  }
  /** Settlements under way in this process, by payment id. */
  const inflight = new Map<string, Promise<SettleResponse>>();
  /** Broadcast transactions whose receipt has not been seen (timeouts), by payment id. */
  const broadcast = new Map<string, { hash: Hex; network: string }>();

  function precheck(payment: PaymentPayload, req: PaymentRequirements): Prechecked | Failure {
    if (req.scheme !== 'exact' || payment.accepted?.scheme !== req.scheme)
      return fail(
        EvmReason.invalidScheme,
        `This facilitator settles the exact scheme, not ${req.scheme}`,
      );
    const state = nets.get(req.network);
    if (!state || payment.accepted.network !== req.network)
      return fail(EvmReason.invalidNetwork, `Network ${req.network} is not served here`);
    const p = parseExactEvmPayload(payment.payload);
    if (!p)
      return fail(
        EvmReason.invalidPayload,
        'Not an exact-EVM payload (authorization and signature)',
      );
    const payer = getAddress(p.from);
    if (!ADDRESS.test(req.asset))
      return fail('invalid_payment_requirements', `asset ${req.asset} is not an address`, payer);
    const listed = findAsset(state.network, req.asset);
    if (!listed && !options.acceptAnyAsset)
      return fail(
        EvmReason.assetNotAccepted,
        `${req.asset} is not an accepted asset on ${req.network}`,
        payer,
      );
    const name = req.extra?.['name'];
    const version = req.extra?.['version'];
    if (typeof name !== 'string' || typeof version !== 'string' || !name || !version)
      return fail(
        EvmReason.missingDomain,
        'requirements.extra must give the token’s EIP-712 name and version',
        payer,
      );
    if (!ADDRESS.test(req.payTo) || p.to !== req.payTo.toLowerCase())
      return fail(
        EvmReason.recipientMismatch,
        `The authorization pays ${p.to}, not ${req.payTo}`,
        payer,
      );
    if (!UINT.test(req.amount) || p.value !== BigInt(req.amount))
      return fail(
        EvmReason.valueMismatch,
        `The authorization is for ${p.value}, the price is ${req.amount}`,
        payer,
      );
    const seconds = BigInt(Math.floor(now() / 1000));
    if (p.validAfter > seconds)
      return fail(EvmReason.validAfter, `validAfter ${p.validAfter} is in the future`, payer);
    const buffer = BigInt(
      options.expiryBufferSeconds ?? Math.max(6, 2 * state.network.blockTimeSeconds),
    );
    if (p.validBefore < seconds + buffer)
      return fail(
        EvmReason.validBefore,
        `validBefore ${p.validBefore} has passed or is within ${buffer} s`,
        payer,
      );
    if (p.validBefore > seconds + BigInt(req.maxTimeoutSeconds) + BigInt(skew))
      return fail(
        EvmReason.validBeforeTooFar,
        `validBefore ${p.validBefore} is more than maxTimeoutSeconds (${req.maxTimeoutSeconds} s) away`,
        payer,
      );
    const asset = getAddress(req.asset);
    const separator = domainSeparator({
      name,
      version,
      chainId: state.network.chainId,
      verifyingContract: asset,
    });
    const digest = authorizationDigest(separator, p);
    const signature = classifySignature(p.signature);
    if (!signature) return fail(EvmReason.signature, 'Malformed EIP-6492 signature wrapper', payer);
    const ecdsa = signature.deployment ? undefined : ecdsaSigner(digest, p.signature);
    return {
      ok: true,
      state,
      p,
      payer,
      asset,
      digest,
      signature,
      ecdsa,
      domain: { name, version, separator: toHex(separator) },
    };
  }

  /** Turns the token's answers about its domain into facts, or a failure. */
  function checkDomain(
    pre: Prechecked,
    facts: AssetFacts,
    read: { separator?: string; name?: string; version?: string } | undefined,
  ): Failure | undefined {
    if (read) {
      if (read.separator) facts.separator = read.separator;
      if (read.name !== undefined) facts.name = read.name;
      if (read.version !== undefined) facts.version = read.version;
    }
    const { name, version, separator } = pre.domain;
    if (facts.separator !== undefined && facts.separator === separator) return undefined;
    if (facts.name !== undefined && facts.name !== name)
      return fail(
        EvmReason.tokenNameMismatch,
        `The token’s EIP-712 name is "${facts.name}", not "${name}"`,
        pre.payer,
      );
    if (facts.version !== undefined && facts.version !== version)
      return fail(
        EvmReason.tokenVersionMismatch,
        `The token’s EIP-712 version is "${facts.version}", not "${version}"`,
        pre.payer,
      );
    if (facts.separator !== undefined)
      return fail(
        EvmReason.domainMismatch,
        'The token’s DOMAIN_SEPARATOR differs from the domain given',
        pre.payer,
      );
    return undefined; // the token tells nothing: the simulation decides
  }

  interface CallSpec {
    target: Hex;
    data: Hex;
  }

  /**
   * The chain phase of verify (mode `verify`) or of settle's re-verification (mode `settle`, with
   * gas estimation for `sender` and fees instead of a simulation).
   */
  async function checkOnChain(
    pre: Prechecked,
    mode: 'verify' | 'settle',
    sender?: LocalAccount,
  ): Promise<Verified | Failure> {
    const { state, p, asset, signature, payer } = pre;
    const assetKey = asset.toLowerCase();
    const facts = state.assets.get(assetKey);
    const needDomain = !facts?.separator && facts?.name === undefined;
    const deployment = signature.deployment;
    const factoryAllowed = deployment ? factories.has(deployment.factory) : false;
    const sendData = transferWithAuthorizationData(p, signature.inner, !!deployment);

    const requests: RpcRequest[] = [];
    const at: Record<string, number> = {};
    const add = (name: string, request: RpcRequest) => {
      at[name] = requests.push(request) - 1;
    };
    if (!state.chainChecked) add('chainId', { method: 'eth_chainId', params: [] });
    if (!facts?.hasCode) add('assetCode', { method: 'eth_getCode', params: [asset, 'latest'] });
    add('fromCode', { method: 'eth_getCode', params: [p.from, 'latest'] });

    const calls: CallSpec[] = [];
    const call: Record<string, number> = {};
    const addCall = (name: string, spec: CallSpec) => {
      call[name] = calls.push(spec) - 1;
    };
    if (needDomain) {
      addCall('separator', { target: asset, data: encode.domainSeparator() });
      addCall('name', { target: asset, data: encode.name() });
      addCall('version', { target: asset, data: encode.version() });
    }
    if (deployment && factoryAllowed)
      addCall('deploy', { target: deployment.factory, data: deployment.calldata });
    addCall('erc1271', {
      target: p.from as Hex,
      data: encode.isValidSignature(toHex(pre.digest), signature.inner),
    });
    addCall('used', { target: asset, data: encode.authorizationState(p.from, p.nonce) });
    addCall('balance', { target: asset, data: encode.balanceOf(p.from) });
    const counterfactualCandidate = !!deployment && factoryAllowed;
    // Settle estimates gas once per token for EOA payers, then simulates in the multicall and
    // reuses the estimate (the cost of this call barely varies): one execution less per settle.
    const cachedGas = state.gasEstimates.get(assetKey);
    const estimateNow =
      mode === 'settle' &&
      !!sender &&
      !counterfactualCandidate &&
      (!cachedGas || now() - cachedGas.at > GAS_ESTIMATE_TTL_MS);
    if (!estimateNow) addCall('simulate', { target: asset, data: sendData });

    const useMulticall = state.multicall !== null;
    if (useMulticall) {
      add('multicall', {
        method: 'eth_call',
        params: [
          {
            to: state.multicall,
            data: encode.aggregate3(
              calls.map((c) => ({ target: c.target, allowFailure: true, callData: c.data })),
            ),
          },
          'latest',
        ],
      });
    } else {
      for (const [i, c] of calls.entries()) {
        add(`call${i}`, { method: 'eth_call', params: [{ to: c.target, data: c.data }, 'latest'] });
      }
    }
    if (estimateNow && sender) {
      add('estimate', {
        method: 'eth_estimateGas',
        params: [{ from: sender.address, to: asset, data: sendData }],
      });
    }
    const feesStale =
      mode === 'settle' &&
      (!state.fees || now() - state.fees.at > Math.max(250, state.network.blockTimeSeconds * 500));
    if (feesStale) {
      add('block', feeRequests[0]);
      add('tip', feeRequests[1]);
    }

    const results = await state.rpc.batch(requests);
    const get = (name: string): RpcResult | undefined =>
      at[name] === undefined ? undefined : results[at[name] as number];
    const value = (name: string): unknown => {
      const r = get(name);
      if (!r) return undefined;
      if (!r.ok) throw new RpcError(r.error, name);
      return r.value;
    };

    if (!state.chainChecked) {
      const id = Number(value('chainId'));
      if (id !== state.network.chainId)
        throw new ConfigError(`The RPC of ${state.network.id} serves chain ${id}`);
      state.chainChecked = true;
    }

    // The sub-call results, from the multicall or from separate eth_calls.
    let sub: { success: boolean; returnData: string }[];
    if (useMulticall) {
      const data = value('multicall') as Hex;
      if (data === '0x') {
        // No Multicall3 on this chain: use separate calls from now on.
        state.multicall = null;
        return checkOnChain(pre, mode, sender);
      }
      sub = [...decodeAggregate3(data)];
    } else {
      sub = calls.map((_, i) => {
        const r = get(`call${i}`);
        return r?.ok
          ? { success: true, returnData: r.value as string }
          : { success: false, returnData: (r && !r.ok ? (r.error.data as string) : '0x') ?? '0x' };
      });
    }
    const result = (name: string) =>
      call[name] === undefined ? undefined : sub[call[name] as number];
    const ok = (name: string) => {
      const r = result(name);
      return r?.success ? r.returnData : undefined;
    };

    // 1. The asset is a contract.
    const assetFacts: AssetFacts = facts ?? { hasCode: false };
    if (!assetFacts.hasCode) {
      const code = value('assetCode') as string;
      if (!code || code === '0x')
        return fail(EvmReason.assetNotContract, `No contract at asset ${asset}`, payer);
      assetFacts.hasCode = true;
      state.assets.set(assetKey, assetFacts);
    }
    // 2. Its EIP-712 domain is the one the payer signed with.
    const separatorWord = ok('separator');
    const domainRead = needDomain
      ? {
          ...(separatorWord && separatorWord.length >= 66
            ? { separator: separatorWord.slice(0, 66) }
            : {}),
          ...(ok('name') !== undefined ? { name: decodeString(ok('name')) ?? '' } : {}),
          ...(ok('version') !== undefined ? { version: decodeString(ok('version')) ?? '' } : {}),
        }
      : undefined;
    const domainFailure = checkDomain(pre, assetFacts, domainRead);
    if (domainFailure) return domainFailure;

    // 3. The signature, as the token will check it: EIP-1271 when the payer has code, else ECDSA.
    const fromCode = value('fromCode') as string;
    const hasCode = !!fromCode && fromCode !== '0x';
    let counterfactual = false;
    if (deployment && !hasCode) {
      if (!factoryAllowed)
        return fail(
          EvmReason.factoryNotAllowed,
          `EIP-6492 factory ${deployment.factory} is not allowed`,
          payer,
        );
      if (!useMulticall)
        return fail(
          EvmReason.undeployedWallet,
          'Counterfactual wallets need Multicall3 on this network',
          payer,
        );
      if (!result('deploy')?.success)
        return fail(EvmReason.walletDeploymentFailed, 'The EIP-6492 factory call fails', payer);
      counterfactual = true;
    }
    if (hasCode || counterfactual) {
      const answer = ok('erc1271');
      if (!answer?.startsWith(ERC1271_MAGIC))
        return fail(
          EvmReason.signature,
          'The payer’s wallet does not accept the signature (EIP-1271)',
          payer,
        );
    } else {
      const check = pre.ecdsa;
      if (!check?.ok) {
        if (check?.problem === 'high_s')
          return fail(
            EvmReason.signatureHighS,
            'The signature’s s is in the upper half of the curve order',
            payer,
          );
        return fail(
          EvmReason.signature,
          'The signature is not a valid 65-byte ECDSA signature',
          payer,
        );
      }
      if (check.signer !== p.from)
        return fail(
          EvmReason.signature,
          `The signature is by ${check.signer}, not the payer`,
          payer,
        );
    }

    // 4. The nonce is unused, 5. the balance suffices, 6. the transfer succeeds.
    const used = decodeBool(ok('used'));
    if (used === undefined)
      return fail(
        EvmReason.simulationFailed,
        'The token has no authorizationState (not EIP-3009)',
        payer,
      );
    if (used)
      return {
        ...fail(EvmReason.nonceUsed, 'This authorization has been used or canceled', payer),
        usedOnChain: true,
      };
    const balance = decodeUint(ok('balance'));
    if (balance === undefined || balance < p.value)
      return fail(
        EvmReason.insufficientFunds,
        `The payer holds ${balance ?? 0n}, needs ${p.value}`,
        payer,
      );
    const simulated = result('simulate');
    if (simulated && !simulated.success) {
      const why = revertMessage(simulated.returnData);
      return fail(
        reasonForRevert(why, EvmReason.simulationFailed),
        `Simulation reverts: ${why ?? 'no reason'}`,
        payer,
      );
    }

    const verified: Verified = {
      ...pre,
      contractWallet: hasCode || counterfactual,
      counterfactual,
    };
    if (mode === 'settle') {
      const estimate = get('estimate');
      if (estimate && !estimate.ok) {
        const why = revertMessage(estimate.error.data) ?? estimate.error.message;
        return fail(
          reasonForRevert(why, EvmReason.simulationFailed),
          `Gas estimation fails: ${why}`,
          payer,
        );
      }
      if (estimate?.ok) {
        const gas = (BigInt(estimate.value as string) * gasMargin) / 100n;
        const known = state.gasEstimates.get(assetKey);
        state.gasEstimates.set(assetKey, {
          gas: known && known.gas > gas ? known.gas : gas,
          at: now(),
        });
        verified.gas = gas;
      } else if (!hasCode && !counterfactual && !estimateNow && cachedGas) {
        // Headroom for what varies between payments: a recipient's first token (a zeroed slot set).
        verified.gas = cachedGas.gas + 25_000n;
      }
      if (feesStale) {
        const block = value('block') as { baseFeePerGas?: string } | null;
        const tip = get('tip');
        state.fees = {
          value: readFees(block, tip?.ok ? (tip.value as string) : undefined),
          at: now(),
        };
      }
      const f = state.fees?.value ?? readFees(null, undefined);
      const current = f.baseFee + f.maxPriorityFeePerGas;
      const ceiling = options.maxFeePerGas;
      if (ceiling !== undefined && current > ceiling)
        return fail(
          EvmReason.gasPriceTooHigh,
          `Gas costs ${current} wei now, above the ceiling of ${ceiling}`,
          payer,
        );
      const maxFeePerGas =
        ceiling !== undefined && f.maxFeePerGas > ceiling ? ceiling : f.maxFeePerGas;
      verified.fees = { maxFeePerGas, maxPriorityFeePerGas: f.maxPriorityFeePerGas, current };
    }
    return verified;
  }

  function invalid(failure: Failure): VerifyResponse {
    return {
      isValid: false,
      invalidReason: failure.reason,
      invalidMessage: failure.message,
      ...(failure.payer ? { payer: failure.payer } : {}),
    };
  }

  function settleFailure(
    req: PaymentRequirements,
    reason: string,
    message: string,
    payer?: string,
    transaction = '',
  ): SettleResponse {
    return {
      success: false,
      errorReason: reason,
      errorMessage: message,
      transaction,
      network: req.network,
      ...(payer ? { payer } : {}),
    };
  }

  /** The Transfer log the authorization must produce. */
  function hasTransferLog(logs: readonly ReceiptLog[], asset: string, p: ParsedPayload): boolean {
    const from = `0x${p.from.slice(2).padStart(64, '0')}`;
    const to = `0x${p.to.slice(2).padStart(64, '0')}`;
    return logs.some(
      (log) =>
        log.address.toLowerCase() === asset.toLowerCase() &&
        log.topics[0] === TOPIC.transfer &&
        log.topics[1]?.toLowerCase() === from &&
        log.topics[2]?.toLowerCase() === to &&
        BigInt(log.data) === p.value,
    );
  }

  function settledFrom(
    receipt: TransactionReceipt,
    req: PaymentRequirements,
    asset: string,
    p: ParsedPayload,
  ): SettleResponse {
    const payer = getAddress(p.from);
    if (receipt.status !== '0x1')
      return settleFailure(
        req,
        EvmReason.transactionFailed,
        'The transaction reverted',
        payer,
        receipt.transactionHash,
      );
    if (!hasTransferLog(receipt.logs, asset, p))
      return settleFailure(
        req,
        EvmReason.transferEventMismatch,
        'The transaction emitted no matching Transfer',
        payer,
        receipt.transactionHash,
      );
    return {
      success: true,
      transaction: receipt.transactionHash,
      network: req.network,
      payer,
      amount: p.value.toString(),
    };
  }

  /** The transaction that used (or canceled) an authorization, from the token's EIP-3009 events. */
  async function findUse(state: NetState, asset: string, p: ParsedPayload) {
    const head = BigInt(await state.rpc.request<string>('eth_blockNumber'));
    const fromBlock = head > lookback ? head - lookback : 0n;
    const logs = await state.rpc.request<(ReceiptLog & { transactionHash: string })[]>(
      'eth_getLogs',
      [
        {
          address: asset,
          fromBlock: `0x${fromBlock.toString(16)}`,
          toBlock: 'latest',
          topics: [
            [TOPIC.authorizationUsed, TOPIC.authorizationCanceled],
            `0x${p.from.slice(2).padStart(64, '0')}`,
            p.nonce,
          ],
        },
      ],
    );
    const log = logs[0];
    if (!log) return undefined;
    if (log.topics[0] === TOPIC.authorizationCanceled) return { canceled: true as const };
    const receipt = await state.rpc.request<TransactionReceipt | null>(
      'eth_getTransactionReceipt',
      [log.transactionHash],
    );
    return receipt ? { canceled: false as const, receipt } : undefined;
  }

  async function replayFailure(
    state: NetState,
    req: PaymentRequirements,
    pre: Prechecked,
    message: string,
  ) {
    // Already used on chain: look it up rather than send again.
    let transaction = '';
    let detail = message;
    try {
      const use = await findUse(state, pre.asset, pre.p);
      if (use?.canceled) detail = 'The payer canceled this authorization';
      else if (use) {
        transaction = use.receipt.transactionHash;
        detail = `This authorization was settled in ${transaction}`;
      }
    } catch {}
    return settleFailure(req, EvmReason.nonceUsed, detail, pre.payer, transaction);
  }

  async function waitReceipt(state: NetState, hash: Hex) {
    return state.watcher.wait(hash, confirmations, receiptTimeoutMs);
  }

  async function doSettle(
    req: PaymentRequirements,
    pre: Prechecked,
    id: string,
  ): Promise<SettleResponse> {
    const lease = pre.state.sender.acquire();
    try {
      return await settleWith(req, pre, id, lease.account);
    } finally {
      lease.release();
    }
  }

  async function settleWith(
    req: PaymentRequirements,
    pre: Prechecked,
    id: string,
    sender: LocalAccount,
  ): Promise<SettleResponse> {
    const { state } = pre;
    const checked = await checkOnChain(pre, 'settle', sender);
    if (!checked.ok) {
      if (checked.usedOnChain) return replayFailure(state, req, pre, checked.message);
      return settleFailure(req, checked.reason, checked.message, checked.payer);
    }
    const fees = checked.fees as Fees;
    if (checked.counterfactual && checked.signature.deployment) {
      const { factory, calldata } = checked.signature.deployment;
      const gas = await state.rpc
        .request<string>('eth_estimateGas', [{ from: sender.address, to: factory, data: calldata }])
        .then((g) => (BigInt(g) * gasMargin) / 100n);
      const deployed = await state.sender.send(sender, { to: factory, data: calldata, gas, fees });
      const receipt = await waitReceipt(state, deployed.hash);
      if (receipt?.status !== '0x1')
        return settleFailure(
          req,
          EvmReason.walletDeploymentFailed,
          'Deploying the payer’s wallet failed',
          checked.payer,
        );
    }
    const data = transferWithAuthorizationData(
      checked.p,
      checked.signature.inner,
      checked.contractWallet,
    );
    let gas = checked.gas;
    if (gas === undefined) {
      try {
        gas =
          (BigInt(
            await state.rpc.request<string>('eth_estimateGas', [
              { from: sender.address, to: checked.asset, data },
            ]),
          ) *
            gasMargin) /
          100n;
      } catch (error) {
        const why = errorText(error);
        return settleFailure(
          req,
          reasonForRevert(why, EvmReason.simulationFailed),
          `Gas estimation fails: ${why}`,
          checked.payer,
        );
      }
    }
    let sent: Awaited<ReturnType<TransactionSender['send']>>;
    try {
      sent = await state.sender.send(sender, { to: checked.asset, data, gas, fees });
    } catch (error) {
      const why = errorText(error);
      return settleFailure(
        req,
        reasonForRevert(why, EvmReason.transactionFailed),
        `Sending failed: ${why}`,
        checked.payer,
      );
    }
    broadcast.set(id, { hash: sent.hash, network: req.network });
    await options.hooks?.afterBroadcast?.({ paymentId: id, transaction: sent.hash });
    const receipt =
      sent.receipt && confirmations <= 1 ? sent.receipt : await waitReceipt(state, sent.hash);
    if (!receipt) {
      // Not failed: pending. Thrown so a settlement journal keeps the payment pending and later
      // reconciles it through status() instead of sending again.
      throw new X402Error(EvmReason.settlementPending, {
        message: `Transaction ${sent.hash} was not confirmed within ${receiptTimeoutMs} ms; it is still pending`,
        details: { transaction: sent.hash, network: req.network },
      });
    }
    broadcast.delete(id);
    const result = settledFrom(receipt, req, checked.asset, checked.p);
    if (!result.success && receipt.status !== '0x1') {
      // Reverted: someone else may have used the authorization first.
      const again = await checkOnChain(pre, 'verify');
      if (!again.ok && again.usedOnChain) return replayFailure(state, req, pre, again.message);
    }
    return result;
  }

  function idOf(payment: PaymentPayload): string {
    return exactEvmPaymentId(payment);
  }

  const addresses = accounts.map((a) => a.address);

  return {
    scheme: 'exact',
    networks: [...nets.keys()] as Network[],
    addresses,

    verifyOffchain(payment, req) {
      const pre = precheck(payment, req);
      if (!pre.ok) return invalid(pre);
      const check = pre.ecdsa;
      if (!check?.ok)
        return invalid(
          fail(
            check?.problem === 'high_s' ? EvmReason.signatureHighS : EvmReason.signature,
            'Invalid ECDSA signature',
            pre.payer,
          ),
        );
      if (check.signer !== pre.p.from)
        return invalid(fail(EvmReason.signature, `The signature is by ${check.signer}`, pre.payer));
      return { isValid: true, payer: pre.payer };
    },

    async verify(payment, req, _context?: FacilitatorContext): Promise<VerifyResponse> {
      const pre = precheck(payment, req);
      if (!pre.ok) return invalid(pre);
      const checked = await checkOnChain(pre, 'verify');
      if (!checked.ok) return invalid(checked);
      return { isValid: true, payer: checked.payer };
    },

    async settle(payment, req, _context?: FacilitatorContext): Promise<SettleResponse> {
      const pre = precheck(payment, req);
      if (!pre.ok) return settleFailure(req, pre.reason, pre.message, pre.payer);
      // The id of what will be sent (the requirements' asset), as exactEvmPaymentId forms it.
      const id = `eip155:${pre.state.network.chainId}:${pre.asset.toLowerCase()}:${pre.p.from}:${pre.p.nonce}`;
      // Claim first: a second settle of the same authorization in this process never broadcasts.
      if (inflight.has(id))
        return settleFailure(
          req,
          EvmReason.settlementInProgress,
          'This authorization is being settled',
          pre.payer,
        );
      const run = doSettle(req, pre, id);
      inflight.set(id, run);
      try {
        return await run;
      } finally {
        inflight.delete(id);
      }
    },

    paymentId: idOf,

    async status(payment, req): Promise<RailPaymentStatus> {
      const p = parseExactEvmPayload(payment.payload);
      const state = nets.get(req.network);
      if (!p || !state)
        throw new X402Error(EvmReason.invalidPayload, { message: 'Not an exact-EVM payload' });
      const id = idOf(payment);
      if (inflight.has(id)) return { state: 'pending' };
      const asset = req.asset.toLowerCase();
      const used = await state.rpc.request<string>('eth_call', [
        { to: asset, data: encode.authorizationState(p.from, p.nonce) },
        'latest',
      ]);
      if (decodeBool(used)) {
        const use = await findUse(state, asset, p);
        if (!use) return { state: 'pending' };
        if (use.canceled) return { state: 'not_found' };
        const settled = settledFrom(use.receipt, req, asset, p);
        return settled.success ? { state: 'settled', settlement: settled } : { state: 'not_found' };
      }
      const known = broadcast.get(id);
      if (known) {
        const receipt = await state.rpc.request<TransactionReceipt | null>(
          'eth_getTransactionReceipt',
          [known.hash],
        );
        if (!receipt) return { state: 'pending' };
        broadcast.delete(id);
      }
      // Unused on chain. A transaction of ours may still be waiting in the node's pool (after a
      // crash we cannot know whose): report pending until our keys have nothing unmined.
      if (await state.sender.hasUnminedTransactions()) return { state: 'pending' };
      return { state: 'not_found' };
    },

    supportedNetworks: () => [...nets.keys()] as Network[],
    signers: () => ({ 'eip155:*': [...addresses] }),
  };
}
