/**
 * @x402-rails/testkit/adapters — the behaviour suite every server adapter runs against a real app
 * of its framework (vitest), and the EVM rail set up on Anvil for it.
 */
export { type EvmRailFactories, startEvmRailUnderTest } from './adapters/evm.js';
export {
  type AdapterApp,
  type AdapterAppSetup,
  type FacilitatorCalls,
  HANDLER_MARKERS,
  httpFetch,
  instrumentFacilitator,
  nextTurn,
  type RailUnderTest,
  type RawResponse,
  rawRequest,
  STREAM_CHUNKS,
  type StartAdapterApp,
  serveNode,
  signPayment,
} from './adapters/harness.js';
export {
  type AdapterBehaviourOptions,
  ALLOWED_ORIGIN,
  PATH_TRICKS,
  runAdapterBehaviour,
} from './adapters/suite.js';
