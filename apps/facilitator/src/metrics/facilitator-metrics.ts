/** The facilitator's metrics: what /metrics exposes, by name. The README lists the same names. */
import { MetricsRegistry } from './registry.js';

/** Seconds; settles on real chains take seconds, verifies milliseconds. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export function createFacilitatorMetrics() {
  const registry = new MetricsRegistry();
  return {
    registry,
    requests: registry.counter(
      'x402_facilitator_http_requests_total',
      'HTTP requests by endpoint and status code.',
      ['endpoint', 'status'],
    ),
    verifications: registry.counter(
      'x402_facilitator_verify_total',
      'Verify calls by scheme, network and result (valid, invalid, error).',
      ['scheme', 'network', 'result'],
    ),
    settlements: registry.counter(
      'x402_facilitator_settle_total',
      'Settle calls by scheme, network and result (success, failure, error).',
      ['scheme', 'network', 'result'],
    ),
    failures: registry.counter(
      'x402_facilitator_failures_total',
      'Refused verifies and failed settles by operation and reason (invalidReason / errorReason).',
      ['operation', 'reason'],
    ),
    verifyLatency: registry.histogram(
      'x402_facilitator_verify_duration_seconds',
      'Time to answer a verify, in seconds.',
      ['scheme', 'network'],
      LATENCY_BUCKETS,
    ),
    settleLatency: registry.histogram(
      'x402_facilitator_settle_duration_seconds',
      'Time to answer a settle, in seconds.',
      ['scheme', 'network'],
      LATENCY_BUCKETS,
    ),
    reconciled: registry.counter(
      'x402_facilitator_reconciled_total',
      'Interrupted settlements taken over and reconciled with their rail, by result.',
      ['result'],
    ),
  };
}

export type FacilitatorMetrics = ReturnType<typeof createFacilitatorMetrics>;
