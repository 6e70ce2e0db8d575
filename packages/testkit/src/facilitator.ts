/** Facilitator role of the toy rail and its in-memory chain. */
export {
  createToyChain,
  ToyChain,
  type ToyChainOptions,
  type ToyTransferRecord,
} from './toy/chain.js';
export { TOY_ASSET, TOY_DECIMALS, TOY_NETWORK, TOY_SCHEME } from './toy/constants.js';
export { createToyFacilitator, type ToyFacilitatorOptions } from './toy/facilitator.js';
