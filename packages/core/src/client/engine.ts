/**
 * The client engine: wraps a fetch function so a 402 is paid and retried once.
 *
 * request → 402 → decode PAYMENT-REQUIRED → offers a registered rail can pay → spending policy
 * → create → retry with PAYMENT-SIGNATURE → receipt from PAYMENT-RESPONSE
 */
import {
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  encodePaymentSignatureHeader,
} from '../codec.js';
import { SchemeRegistry } from '../registry.js';
import type {
  PaymentPayload,
  PaymentRequirements,
  ResourceInfo,
  SettleResponse,
} from '../schemas.js';
import type { SchemeClient } from '../scheme.js';
import {
  isAllowed,
  limitViolation,
  rankOffers,
  refuse,
  type SpendingPolicy,
  SpendingTracker,
} from './policy.js';

export interface PaymentReceipt {
  resource: ResourceInfo;
  requirements: PaymentRequirements;
  /** HTTP status of the paid attempt. */
  status: number;
  /** The decoded `PAYMENT-RESPONSE`, when the server sent a valid one. */
  settlement?: SettleResponse;
  /** Why `settlement` is missing or unreadable. */
  error?: string;
}

export interface PaymentClientOptions {
  /** Client roles of the rails this agent can pay with. */
  schemes: Iterable<SchemeClient> | SchemeRegistry<SchemeClient>;
  policy?: SpendingPolicy;
  /** The fetch to wrap (default: global fetch). */
  fetch?: typeof fetch;
  /**
   * Resends of the paid request after a network failure, with the same payment (default 2). The
   * server refuses a payment it already used, so a resend never pays twice.
   */
  ambiguousRetries?: number;
  /** Cap on the `PAYMENT-REQUIRED` header a server may send (default 64 KiB). */
  maxHeaderBytes?: number;
  /** Called after every paid attempt. */
  onReceipt?: (receipt: PaymentReceipt) => void;
  now?: () => number;
}

export interface PaymentClient {
  /** Same contract as fetch; pays a 402 per the policy. Throws `PaymentRefusedError` when it will not pay. */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** The receipt of a response this client paid for. */
  receiptOf(response: Response): PaymentReceipt | undefined;
}

/**
 * @example
 * const client = createPaymentClient({ schemes: [toyClient], policy: { maxPerRequest: { 'TOY': '100000' } } });
 * const response = await client.fetch('http://127.0.0.1:4021/weather');
 * console.log(client.receiptOf(response)?.settlement?.transaction);
 */
export function createPaymentClient(options: PaymentClientOptions): PaymentClient {
  const registry =
    options.schemes instanceof SchemeRegistry
      ? options.schemes
      : new SchemeRegistry<SchemeClient>(options.schemes);
  const policy = options.policy ?? {};
  const doFetch = options.fetch ?? globalThis.fetch;
  const retries = options.ambiguousRetries ?? 2;
  const tracker = new SpendingTracker(options.now);
  const receipts = new WeakMap<Response, PaymentReceipt>();

  async function choose(
    accepts: readonly PaymentRequirements[],
  ): Promise<{ requirements: PaymentRequirements; rail: SchemeClient }> {
    const payable = accepts.filter((req) => {
      const rail = registry.resolve(req.scheme, req.network);
      return rail !== undefined && rail.canPay?.(req) !== false && isAllowed(policy, req);
    });
    if (payable.length === 0) {
      refuse(
        'no_payable_option',
        'No offered payment option matches a registered rail and the policy',
        {
          offered: accepts.map((a) => `${a.scheme}@${a.network}`),
        },
      );
    }
    const refusals: string[] = [];
    for (const requirements of rankOffers(policy, payable)) {
      const violation = limitViolation(policy, tracker, requirements);
      if (violation) {
        refusals.push(`${requirements.scheme}@${requirements.network}: ${violation}`);
        continue;
      }
      if (policy.confirm && !(await policy.confirm(requirements))) {
        refuse('policy_rejected', 'The confirmation callback declined the payment', {
          requirements,
        });
      }
      return {
        requirements,
        rail: registry.resolve(requirements.scheme, requirements.network) as SchemeClient,
      };
    }
    return refuse(
      'policy_rejected',
      `Every payable option exceeds the spending policy: ${refusals.join('; ')}`,
      { refusals },
    );
  }

  async function sendPaid(
    request: Request,
    header: string,
  ): Promise<{ response: Response; resent: boolean }> {
    for (let attempt = 0; ; attempt++) {
      const paid = request.clone();
      paid.headers.set('payment-signature', header);
      try {
        return { response: await doFetch(paid), resent: attempt > 0 };
      } catch (error) {
        // The outcome is unknown; the same payment is resent, never a new one.
        if (attempt >= retries || paid.signal.aborted) throw error;
      }
    }
  }

  /** The refusal's requirements for this rail when the rail asks to pay once more on them. */
  function correctiveRequirements(
    response: Response,
    paid: PaymentRequirements,
    rail: SchemeClient,
  ): PaymentRequirements | undefined {
    if (response.status !== 402 || !rail.retryAfterRefusal) return undefined;
    const header = response.headers.get('payment-required');
    if (header === null) return undefined;
    let accepts: readonly PaymentRequirements[];
    try {
      accepts = decodePaymentRequiredHeader(header, {
        maxBytes: options.maxHeaderBytes ?? 64 * 1024,
      }).accepts;
    } catch {
      return undefined;
    }
    const same = accepts.find(
      (r) =>
        r.scheme === paid.scheme &&
        r.network === paid.network &&
        r.amount === paid.amount &&
        r.asset.toLowerCase() === paid.asset.toLowerCase() &&
        r.payTo.toLowerCase() === paid.payTo.toLowerCase(),
    );
    return same && rail.retryAfterRefusal(same) ? same : undefined;
  }

  return {
    receiptOf: (response) => receipts.get(response),
    async fetch(input, init) {
      const request = new Request(input, init);
      const first = await doFetch(request.clone());
      if (first.status !== 402) return first;
      const header = first.headers.get('payment-required');
      if (header === null) return first; // a 402 that is not x402
      // Not awaited: a patched global fetch (Next.js) may never settle the cancel of a 402 body.
      void first.body?.cancel().catch(() => {});
      const required = decodePaymentRequiredHeader(header, {
        maxBytes: options.maxHeaderBytes ?? 64 * 1024,
      });
      const { requirements, rail } = await choose(required.accepts);

      const created = await rail.create({
        requirements,
        resource: required.resource,
        ...(required.extensions ? { extensions: required.extensions } : {}),
      });
      const payload: PaymentPayload = {
        x402Version: 2,
        resource: required.resource,
        accepted: requirements,
        payload: created.payload,
        ...(created.extensions ? { extensions: created.extensions } : {}),
      };
      let undo = tracker.record(requirements, policy.budget?.periodMs ?? 0);
      let sent = payload;
      let { response, resent } = await sendPaid(request, encodePaymentSignatureHeader(payload));
      const corrective = resent ? undefined : correctiveRequirements(response, requirements, rail);
      if (corrective) {
        // A definite refusal that tells the rail where it stands (a deferred channel's state):
        // nothing was paid, so the amount is given back and the rail pays once more.
        undo();
        void response.body?.cancel().catch(() => {});
        const again = await rail.create({
          requirements: corrective,
          resource: required.resource,
          ...(required.extensions ? { extensions: required.extensions } : {}),
        });
        const retried: PaymentPayload = {
          ...payload,
          accepted: corrective,
          payload: again.payload,
          ...(again.extensions ? { extensions: again.extensions } : {}),
        };
        undo = tracker.record(corrective, policy.budget?.periodMs ?? 0);
        sent = retried;
        ({ response, resent } = await sendPaid(request, encodePaymentSignatureHeader(retried)));
      }

      const receipt: PaymentReceipt = {
        resource: required.resource,
        requirements,
        status: response.status,
      };
      const responseHeader = response.headers.get('payment-response');
      if (responseHeader !== null) {
        try {
          receipt.settlement = decodePaymentResponseHeader(responseHeader);
        } catch (error) {
          receipt.error = error instanceof Error ? error.message : String(error);
        }
        if (receipt.settlement?.success && rail.settled) {
          // The rail's bookkeeping must not turn a served response into a failure.
          try {
            await rail.settled({
              requirements: sent.accepted,
              payload: sent.payload,
              settlement: receipt.settlement,
            });
          } catch {
            // ignored: see SchemeClient.settled
          }
        }
      } else {
        // A refusal before settlement carries the reason in PAYMENT-REQUIRED's `error`.
        const refusal = response.headers.get('payment-required');
        let why = '';
        if (refusal !== null) {
          try {
            why =
              decodePaymentRequiredHeader(refusal, {
                maxBytes: options.maxHeaderBytes ?? 64 * 1024,
              }).error ?? '';
          } catch {
            why = 'unreadable PAYMENT-REQUIRED header';
          }
        }
        receipt.error = `HTTP ${response.status} without PAYMENT-RESPONSE${why ? `: ${why}` : ''}`;
      }
      // A definite refusal of the only send means nothing was paid: give the amount back. After a
      // resend, a refusal may mean the lost first send was served, so the amount stays counted.
      if (
        !resent &&
        !receipt.settlement?.success &&
        response.status >= 400 &&
        response.status < 500
      )
        undo();
      receipts.set(response, receipt);
      options.onReceipt?.(receipt);
      return response;
    },
  };
}
