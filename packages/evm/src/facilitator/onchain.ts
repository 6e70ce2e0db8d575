/**
 * The chain phase of verify, and of settle's re-verification: the answers of one batch of reads
 * (./chain-reads.ts) checked in order — the asset, its domain, the signature, the nonce, the
 * balance and the simulation — and for settle the gas limit and the fees.
 */
import type { LocalAccount } from 'viem';
import { EvmReason } from '../reasons.js';
import { decodeBool, decodeString, decodeUint, ERC1271_MAGIC, revertMessage } from './abi.js';
import { type Answers, type CheckMode, type ReadPlan, readChain } from './chain-reads.js';
import type { AssetFacts, RailContext } from './context.js';
import { type Failure, fail, reasonForRevert } from './failure.js';
import { checkDomain, type Prechecked } from './precheck.js';
import { type Fees, readFees } from './sender.js';

export interface Verified extends Omit<Prechecked, 'ok'> {
  ok: true;
  /** The payer is a contract, or becomes one through `signature.deployment`. */
  contractWallet: boolean;
  counterfactual: boolean;
  gas?: bigint;
  fees?: Fees;
}

/** How the token will check the signature. */
interface PayerWallet {
  ok: true;
  hasCode: boolean;
  counterfactual: boolean;
}

/**
 * The chain phase of verify (mode `verify`) or of settle's re-verification (mode `settle`, with
 * gas estimation for `sender` and fees instead of a simulation).
 */
export async function checkOnChain(
  ctx: RailContext,
  pre: Prechecked,
  mode: CheckMode,
  sender?: LocalAccount,
): Promise<Verified | Failure> {
  const read = await readChain(ctx, pre, mode, sender);
  if (!read) return checkOnChain(ctx, pre, mode, sender); // without Multicall3 from now on
  const { plan, answers } = read;

  const assetFailure = checkAsset(pre, plan, answers);
  if (assetFailure) return assetFailure;
  const wallet = checkSignature(pre, plan, answers);
  if (!wallet.ok) return wallet;
  const transferFailure = checkTransfer(pre, answers);
  if (transferFailure) return transferFailure;

  const verified: Verified = {
    ...pre,
    contractWallet: wallet.hasCode || wallet.counterfactual,
    counterfactual: wallet.counterfactual,
  };
  if (mode === 'settle') {
    const failure =
      settleGas(ctx, pre, plan, answers, verified) ?? settleFees(ctx, pre, plan, answers, verified);
    if (failure) return failure;
  }
  return verified;
}

/** Steps 1 and 2: the token is a contract, and its domain is the one the payer signed with. */
function checkAsset(pre: Prechecked, plan: ReadPlan, answers: Answers): Failure | undefined {
  const { state, asset, payer } = pre;
  const { value, ok } = answers;
  // 1. The asset is a contract.
  const assetFacts: AssetFacts = plan.facts ?? { hasCode: false };
  if (!assetFacts.hasCode) {
    const code = value('assetCode') as string;
    if (!code || code === '0x')
      return fail(EvmReason.assetNotContract, `No contract at asset ${asset}`, payer);
    assetFacts.hasCode = true;
    state.assets.set(plan.assetKey, assetFacts);
  }
  // 2. Its EIP-712 domain is the one the payer signed with.
  const separatorWord = ok('separator');
  const domainRead = plan.needDomain
    ? {
        ...(separatorWord && separatorWord.length >= 66
          ? { separator: separatorWord.slice(0, 66) }
          : {}),
        ...(ok('name') !== undefined ? { name: decodeString(ok('name')) ?? '' } : {}),
        ...(ok('version') !== undefined ? { version: decodeString(ok('version')) ?? '' } : {}),
      }
    : undefined;
  return checkDomain(pre, assetFacts, domainRead);
}

/** Step 3: the signature, and whether the payer is (or becomes) a contract wallet. */
function checkSignature(pre: Prechecked, plan: ReadPlan, answers: Answers): PayerWallet | Failure {
  const { p, payer } = pre;
  const deployment = pre.signature.deployment;
  // 3. The signature, as the token will check it: EIP-1271 when the payer has code, else ECDSA.
  const fromCode = answers.value('fromCode') as string;
  const hasCode = !!fromCode && fromCode !== '0x';
  let counterfactual = false;
  if (deployment && !hasCode) {
    if (!plan.factoryAllowed)
      return fail(
        EvmReason.factoryNotAllowed,
        `EIP-6492 factory ${deployment.factory} is not allowed`,
        payer,
      );
    if (!plan.useMulticall)
      return fail(
        EvmReason.undeployedWallet,
        'Counterfactual wallets need Multicall3 on this network',
        payer,
      );
    if (!answers.result('deploy')?.success)
      return fail(EvmReason.walletDeploymentFailed, 'The EIP-6492 factory call fails', payer);
    counterfactual = true;
  }
  if (hasCode || counterfactual) {
    const answer = answers.ok('erc1271');
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
      return fail(EvmReason.signature, `The signature is by ${check.signer}, not the payer`, payer);
  }
  return { ok: true, hasCode, counterfactual };
}

/** Steps 4 to 6: the nonce, the balance and the simulated transfer. */
function checkTransfer(pre: Prechecked, answers: Answers): Failure | undefined {
  const { p, payer } = pre;
  // 4. The nonce is unused, 5. the balance suffices, 6. the transfer succeeds.
  const used = decodeBool(answers.ok('used'));
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
  const balance = decodeUint(answers.ok('balance'));
  if (balance === undefined || balance < p.value)
    return fail(
      EvmReason.insufficientFunds,
      `The payer holds ${balance ?? 0n}, needs ${p.value}`,
      payer,
    );
  const simulated = answers.result('simulate');
  if (simulated && !simulated.success) {
    const why = revertMessage(simulated.returnData);
    return fail(
      reasonForRevert(why, EvmReason.simulationFailed),
      `Simulation reverts: ${why ?? 'no reason'}`,
      payer,
    );
  }
  return undefined;
}

/** Settle's gas limit: estimated now, or the token's estimate reused for an EOA payer. */
function settleGas(
  ctx: RailContext,
  pre: Prechecked,
  plan: ReadPlan,
  answers: Answers,
  verified: Verified,
): Failure | undefined {
  const { state, payer } = pre;
  const estimate = answers.get('estimate');
  if (estimate && !estimate.ok) {
    const why = revertMessage(estimate.error.data) ?? estimate.error.message;
    return fail(
      reasonForRevert(why, EvmReason.simulationFailed),
      `Gas estimation fails: ${why}`,
      payer,
    );
  }
  if (estimate?.ok) {
    const gas = (BigInt(estimate.value as string) * ctx.gasMarginPercent) / 100n;
    const known = state.gasEstimates.get(plan.assetKey);
    state.gasEstimates.set(plan.assetKey, {
      gas: known && known.gas > gas ? known.gas : gas,
      at: ctx.now(),
    });
    verified.gas = gas;
  } else if (!verified.contractWallet && !plan.estimateNow && plan.cachedGas) {
    // Headroom for what varies between payments: a recipient's first token (a zeroed slot set).
    verified.gas = plan.cachedGas.gas + 25_000n;
  }
  return undefined;
}

/** Settle's fees (refreshed when stale), refused above the facilitator's ceiling. */
function settleFees(
  ctx: RailContext,
  pre: Prechecked,
  plan: ReadPlan,
  answers: Answers,
  verified: Verified,
): Failure | undefined {
  const { state, payer } = pre;
  if (plan.feesStale) {
    const block = answers.value('block') as { baseFeePerGas?: string } | null;
    const tip = answers.get('tip');
    state.fees = {
      value: readFees(block, tip?.ok ? (tip.value as string) : undefined),
      at: ctx.now(),
    };
  }
  const f = state.fees?.value ?? readFees(null, undefined);
  const current = f.baseFee + f.maxPriorityFeePerGas;
  const ceiling = ctx.options.maxFeePerGas;
  if (ceiling !== undefined && current > ceiling)
    return fail(
      EvmReason.gasPriceTooHigh,
      `Gas costs ${current} wei now, above the ceiling of ${ceiling}`,
      payer,
    );
  const maxFeePerGas = ceiling !== undefined && f.maxFeePerGas > ceiling ? ceiling : f.maxFeePerGas;
  verified.fees = { maxFeePerGas, maxPriorityFeePerGas: f.maxPriorityFeePerGas, current };
  return undefined;
}
