/** Client role of the toy rail. */
export { createToyClient, type ToyClientOptions, type ToyExactClient } from './toy/client.js';
export { TOY_ASSET, TOY_DECIMALS, TOY_NETWORK, TOY_SCHEME } from './toy/constants.js';
export { createToyWallet, type ToyWallet } from './toy/keys.js';
