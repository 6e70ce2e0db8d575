/**
 * Per-request context carried through async calls, so the instrumented facilitator can tell the
 * request logger what a verify or settle did without the core handler passing anything along.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface PaymentOutcome {
  operation: 'verify' | 'settle';
  scheme: string;
  network: string;
  /** verify: valid | invalid; settle: success | failure; either: error (it threw). */
  result: string;
  reason?: string;
  /** The rail's transaction id of a successful settle (public, unlike the payload). */
  transaction?: string;
}

export interface RequestContext {
  readonly requestId: string;
  outcome?: PaymentOutcome;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

const WELL_FORMED_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** The caller's `x-request-id` when it is well formed (so it is safe to log and echo), else a new one. */
export function requestIdFrom(header: string | null): string {
  return header !== null && WELL_FORMED_ID.test(header) ? header : crypto.randomUUID();
}
