/**
 * The reads of the chain phase, gathered in one JSON-RPC batch (one round trip): the chain id
 * until checked, the token's code until known, the payer's code, and one Multicall3 call (or,
 * without Multicall3, separate eth_calls) with the token's domain when not cached, the EIP-1271
 * answer, the nonce state, the balance and the transfer simulation; for settle also the gas
 * estimate and the fees when stale. Each read has a name, and its answer is found by that name.
 */
import { ConfigError } from '@x402-rails/core';
import type { Hex, LocalAccount } from 'viem';
import { toHex } from '../eip3009.js';
import { RpcError, type RpcRequest, type RpcResult } from '../rpc.js';
import { decodeAggregate3, encode, transferWithAuthorizationData } from './abi.js';
import type { AssetFacts, NetState, RailContext } from './context.js';
import type { Prechecked } from './precheck.js';
import { feeRequests } from './sender.js';

/** `verify`, or settle's re-verification (gas estimation and fees instead of a simulation). */
export type CheckMode = 'verify' | 'settle';

/** How long a token's gas estimate is reused before it is estimated again. */
const GAS_ESTIMATE_TTL_MS = 10 * 60_000;

interface CallSpec {
  target: Hex;
  data: Hex;
}

/** The reads of one check, each under a name: JSON-RPC requests and the sub-calls they carry. */
export interface ReadPlan {
  requests: RpcRequest[];
  /** Index in `requests` by name. */
  at: Record<string, number>;
  /** The sub-calls: one Multicall3 call, or separate eth_calls. */
  calls: CallSpec[];
  /** Index in `calls` by name. */
  call: Record<string, number>;
  assetKey: string;
  /** What was known of the token before this check. */
  facts: AssetFacts | undefined;
  needDomain: boolean;
  factoryAllowed: boolean;
  useMulticall: boolean;
  cachedGas: { gas: bigint; at: number } | undefined;
  estimateNow: boolean;
  feesStale: boolean;
}

interface SubResult {
  success: boolean;
  returnData: string;
}

/** The answers of a batch, found by the names the plan gave its reads. */
export interface Answers {
  get(name: string): RpcResult | undefined;
  /** The value of a request's answer; throws its JSON-RPC error. */
  value(name: string): unknown;
  result(name: string): SubResult | undefined;
  /** A sub-call's return data, when it succeeded. */
  ok(name: string): string | undefined;
}

/**
 * Sends the check's reads in one batch and returns their answers, once the RPC is known to serve
 * the network's chain. Undefined when the chain turns out to have no Multicall3: the state now
 * says so, and the reads must be made again with separate calls.
 */
export async function readChain(
  ctx: RailContext,
  pre: Prechecked,
  mode: CheckMode,
  sender: LocalAccount | undefined,
): Promise<{ plan: ReadPlan; answers: Answers } | undefined> {
  const { state } = pre;
  const plan = planReads(ctx, pre, mode, sender);
  const results = await state.rpc.batch(plan.requests);
  const { get, value } = requestAnswers(plan, results);

  if (!state.chainChecked) {
    const id = Number(value('chainId'));
    if (id !== state.network.chainId)
      throw new ConfigError(`The RPC of ${state.network.id} serves chain ${id}`);
    state.chainChecked = true;
  }

  const sub = subCallResults(state, plan, get, value);
  if (!sub) return undefined;
  return { plan, answers: { get, value, ...subCallAnswers(plan, sub) } };
}

/** Names every read the check needs, in one batch. */
function planReads(
  ctx: RailContext,
  pre: Prechecked,
  mode: CheckMode,
  sender: LocalAccount | undefined,
): ReadPlan {
  const { now } = ctx;
  const { state, p, asset, signature } = pre;
  const assetKey = asset.toLowerCase();
  const facts = state.assets.get(assetKey);
  const needDomain = !facts?.separator && facts?.name === undefined;
  const deployment = signature.deployment;
  const factoryAllowed = deployment ? ctx.factories.has(deployment.factory) : false;
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
  return {
    requests,
    at,
    calls,
    call,
    assetKey,
    facts,
    needDomain,
    factoryAllowed,
    useMulticall,
    cachedGas,
    estimateNow,
    feesStale,
  };
}

function requestAnswers(plan: ReadPlan, results: RpcResult[]): Pick<Answers, 'get' | 'value'> {
  const { at } = plan;
  const get = (name: string): RpcResult | undefined =>
    at[name] === undefined ? undefined : results[at[name] as number];
  const value = (name: string): unknown => {
    const r = get(name);
    if (!r) return undefined;
    if (!r.ok) throw new RpcError(r.error, name);
    return r.value;
  };
  return { get, value };
}

/**
 * The sub-call results, from the multicall or from separate eth_calls; undefined when the chain
 * turns out to have no Multicall3, and the reads must be made again without it.
 */
function subCallResults(
  state: NetState,
  plan: ReadPlan,
  get: Answers['get'],
  value: Answers['value'],
): SubResult[] | undefined {
  if (plan.useMulticall) {
    const data = value('multicall') as Hex;
    if (data === '0x') {
      // No Multicall3 on this chain: use separate calls from now on.
      state.multicall = null;
      return undefined;
    }
    return [...decodeAggregate3(data)];
  }
  return plan.calls.map((_, i) => {
    const r = get(`call${i}`);
    return r?.ok
      ? { success: true, returnData: r.value as string }
      : { success: false, returnData: (r && !r.ok ? (r.error.data as string) : '0x') ?? '0x' };
  });
}

function subCallAnswers(plan: ReadPlan, sub: SubResult[]): Pick<Answers, 'result' | 'ok'> {
  const { call } = plan;
  const result = (name: string) =>
    call[name] === undefined ? undefined : sub[call[name] as number];
  const ok = (name: string) => {
    const r = result(name);
    return r?.success ? r.returnData : undefined;
  };
  return { result, ok };
}
