/** Server role of the toy rail. */

export { TOY_ASSET, TOY_DECIMALS, TOY_NETWORK, TOY_SCHEME } from './toy/constants.js';
export { createToyServer, type ToyServerOptions } from './toy/server.js';
