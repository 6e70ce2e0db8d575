/**
 * A decorator around the facilitator: counts and times verify and settle and hands the outcome
 * to the current request's log line. Core stays unaware of metrics and logs.
 */
import type { PaymentRequirements } from '@x402-rails/core';
import type { Facilitator } from '@x402-rails/core/facilitator';
import { type PaymentOutcome, requestContext } from '../http/context.js';
import type { FacilitatorMetrics } from './facilitator-metrics.js';

/** Reasons come from code, but a rail could still put odd text there; keep label values tame. */
function reasonLabel(reason: string | undefined): string {
  if (reason === undefined || reason === '') return 'unknown';
  return /^[A-Za-z0-9_.:-]{1,64}$/.test(reason) ? reason : 'other';
}

export function instrumentFacilitator(
  facilitator: Facilitator,
  metrics: FacilitatorMetrics,
): Facilitator {
  /**
   * Scheme and network are client input: only pairs a rail serves become label values, so a
   * caller inventing networks cannot mint new time series.
   */
  const labelsOf = ({ scheme, network }: PaymentRequirements) =>
    facilitator.registry.resolve(scheme, network)
      ? { scheme, network }
      : { scheme: 'unsupported', network: 'unsupported' };

  function record(
    operation: 'verify' | 'settle',
    requirements: PaymentRequirements,
    started: number,
    outcome: { result: string; reason?: string | undefined; transaction?: string | undefined },
  ) {
    const labels = labelsOf(requirements);
    const seconds = (performance.now() - started) / 1000;
    const latency = operation === 'verify' ? metrics.verifyLatency : metrics.settleLatency;
    latency.observe(labels, seconds);
    const counter = operation === 'verify' ? metrics.verifications : metrics.settlements;
    counter.inc({ ...labels, result: outcome.result });
    const failed = outcome.result !== 'valid' && outcome.result !== 'success';
    if (failed) metrics.failures.inc({ operation, reason: reasonLabel(outcome.reason) });

    const context = requestContext.getStore();
    if (context) {
      const logged: PaymentOutcome = {
        operation,
        scheme: requirements.scheme,
        network: requirements.network,
        result: outcome.result,
      };
      if (outcome.reason !== undefined) logged.reason = outcome.reason;
      if (outcome.transaction) logged.transaction = outcome.transaction;
      context.outcome = logged;
    }
  }

  return {
    registry: facilitator.registry,
    supported: (options) => facilitator.supported(options),
    release: (payload, requirements, options) =>
      facilitator.release(payload, requirements, options),
    async reconcile(limit) {
      const outcomes = await facilitator.reconcile(limit);
      for (const { result } of outcomes)
        metrics.reconciled.inc({ result: result.success ? 'success' : 'failure' });
      return outcomes;
    },
    async verify(payload, requirements, options) {
      const started = performance.now();
      try {
        const response = await facilitator.verify(payload, requirements, options);
        record('verify', requirements, started, {
          result: response.isValid ? 'valid' : 'invalid',
          reason: response.invalidReason,
        });
        return response;
      } catch (error) {
        record('verify', requirements, started, { result: 'error', reason: 'exception' });
        throw error;
      }
    },
    async settle(payload, requirements, options) {
      const started = performance.now();
      try {
        const response = await facilitator.settle(payload, requirements, options);
        record('settle', requirements, started, {
          result: response.success ? 'success' : 'failure',
          reason: response.errorReason,
          transaction: response.transaction,
        });
        return response;
      } catch (error) {
        // The journal (the store) failed: the rail may or may not have been reached.
        record('settle', requirements, started, { result: 'error', reason: 'exception' });
        throw error;
      }
    },
  };
}
