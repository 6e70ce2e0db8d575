/**
 * The facilitator role of the deferred rail. Verify checks a voucher and reserves it in the channel
 * ledger (a compare-and-swap on the channel's charged amount: of two concurrent requests on one
 * channel, one wins); settle commits the reservation — no chain call on the request path — and
 * returns the commitment id; release drops it (that flow is `voucher-flow.ts`, shared with the
 * credit-backed binding). Redemption (`./redeem`) collects later, in batches.
 */
import type {
  FacilitatorContext,
  Network,
  PaymentRequirements,
  RailPaymentStatus,
  SchemeFacilitator,
} from '@x402-rails/core';
import { createPublicClient, http, type PublicClient } from 'viem';
import { BATCH_SETTLEMENT_SCHEME } from '../constants.js';
import type { DeferredLedger, Hex } from '../ledger/types.js';
import { createChainStateCache } from './chain-state.js';
import {
  type CheckedVoucher,
  checkVoucher,
  decodeVoucherPayload,
  type NetworkContext,
} from './check.js';
import { createDepositAwareFlow, withDepositInFlight } from './deposit-flow.js';
import type { DepositRelay } from './deposit-relay.js';
import { deferredPaymentId } from './payment-id.js';
import {
  type AcceptedVoucher,
  createVoucherFlow,
  type VoucherCheck,
  type VoucherRef,
} from './voucher-flow.js';

export interface DeferredFacilitatorNetwork {
  /** CAIP-2, `eip155:<chainId>`. */
  network: `eip155:${number}`;
  /** The escrow every channel on this network is bound to. */
  escrow: Hex;
  /** An RPC endpoint, or a ready viem client (tests, custom transports). */
  rpcUrl?: string;
  client?: Pick<PublicClient, 'getCode' | 'readContract'>;
  /**
   * Opt-in: relay `deposit` payloads (the official client opens a channel with one), sending the
   * escrow's `deposit` at settle. Without it they are refused with `…_deposit_not_relayed`.
   * Vouchers never wait for a chain call either way.
   */
  relayDeposits?: DepositRelay;
}

export interface DeferredFacilitatorOptions {
  ledger: DeferredLedger;
  networks: readonly DeferredFacilitatorNetwork[];
  /** How long an escrow read stays fresh (default 5 s; 1 s while a withdrawal is pending). */
  chainStateTtlMs?: number;
  /** Refuse vouchers once a pending withdrawal completes within this many seconds (default 300). */
  closingMarginSeconds?: number;
  /**
   * How long a reservation blocks its channel when the request never finishes (default: the
   * requirements' maxTimeoutSeconds).
   */
  pendingTtlMs?: number;
  now?: () => number;
}

export interface DeferredFacilitator extends SchemeFacilitator {
  readonly ledger: DeferredLedger;
  /** The escrow read for a channel's corrective state (shared with the server role). */
  networkContext(network: string): NetworkContext | undefined;
}

/** An escrow-backed voucher as the shared flow reserves it: the channel's identity is its config. */
function acceptedOf(checked: CheckedVoucher, requirements: PaymentRequirements): AcceptedVoucher {
  return {
    channelId: checked.channelId,
    payer: checked.config.payer,
    cumulative: checked.cumulative,
    signature: checked.voucher.signature,
    expectedCharged: checked.expectedCharged,
    identity: {
      channelId: checked.channelId,
      network: requirements.network,
      escrow: checked.net.domain.escrow,
      asset: checked.config.token,
      payer: checked.config.payer,
      receiver: checked.config.receiver,
      config: checked.config,
    },
  };
}

export function createDeferredFacilitator(
  options: DeferredFacilitatorOptions,
): DeferredFacilitator {
  const now = options.now ?? Date.now;
  const networks = new Map<string, NetworkContext>();
  for (const n of options.networks) {
    const chainId = Number(n.network.slice('eip155:'.length));
    if (!Number.isSafeInteger(chainId) || chainId <= 0) {
      throw new TypeError(`network ${n.network} is not eip155:<chainId>`);
    }
    const client =
      n.client ?? (n.rpcUrl ? createPublicClient({ transport: http(n.rpcUrl) }) : undefined);
    if (!client) throw new TypeError(`network ${n.network} needs rpcUrl or client`);
    networks.set(n.network, {
      network: n.network,
      domain: { chainId, escrow: n.escrow },
      client,
      chainState: createChainStateCache({
        client,
        escrow: n.escrow,
        now,
        ...(options.chainStateTtlMs !== undefined ? { ttlMs: options.chainStateTtlMs } : {}),
      }),
    });
  }
  const checkOptions = {
    ledger: options.ledger,
    networkOf: (network: string) => networks.get(network),
    closingMarginSeconds: options.closingMarginSeconds ?? 300,
    now,
  };

  const flowWith = (networkOf: (network: string) => NetworkContext | undefined) =>
    createVoucherFlow({
      ledger: options.ledger,
      now,
      ...(options.pendingTtlMs !== undefined ? { pendingTtlMs: options.pendingTtlMs } : {}),
      async check(payload, requirements): Promise<VoucherCheck> {
        const result = await checkVoucher(payload, requirements, { ...checkOptions, networkOf });
        return result.ok ? { ok: true, voucher: acceptedOf(result.checked, requirements) } : result;
      },
      read(payload): VoucherRef | undefined {
        const decoded = decodeVoucherPayload(payload);
        if (!decoded.ok) return undefined;
        return {
          channelId: decoded.voucher.channelId,
          payer: decoded.config.payer,
          cumulative: BigInt(decoded.voucher.maxClaimableAmount),
          signature: decoded.voucher.signature,
        };
      },
    });
  const relays = new Map<string, DepositRelay>();
  for (const n of options.networks) if (n.relayDeposits) relays.set(n.network, n.relayDeposits);
  const flow = createDepositAwareFlow({
    flow: flowWith(checkOptions.networkOf),
    flowWithDeposit: (network, channelId, amount) =>
      flowWith((n) => {
        const net = networks.get(n);
        return net && n === network ? withDepositInFlight(net, channelId, amount) : net;
      }),
    relayOf(network) {
      const relay = relays.get(network);
      const net = networks.get(network);
      return relay && net
        ? { relay, escrow: net.domain.escrow, chainState: net.chainState }
        : undefined;
    },
    now,
  });

  return {
    scheme: BATCH_SETTLEMENT_SCHEME,
    networks: [...networks.keys()] as Network[],
    ledger: options.ledger,
    networkContext: (network) => networks.get(network),
    verify: (payload, requirements, _context?: FacilitatorContext) =>
      flow.verify(payload, requirements),
    settle: (payload, requirements) => flow.settle(payload, requirements),
    release: (payload) => flow.release(payload),
    paymentId: deferredPaymentId,
    status: (payload, requirements): Promise<RailPaymentStatus> =>
      flow.status(payload, requirements),
    supportedNetworks: () => [...networks.keys()] as Network[],
  };
}
