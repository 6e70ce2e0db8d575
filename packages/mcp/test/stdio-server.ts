/** A paid MCP server on stdio over a toy chain persisted to TOY_CHAIN_FILE (run with tsx). */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createFacilitator } from '@x402-rails/core/facilitator';
import { createToyChain, createToyRail } from '@x402-rails/testkit';
import { createPaidServer } from './fixtures.js';

const file = process.env.TOY_CHAIN_FILE;
const merchant = process.env.MERCHANT;
if (!file || !merchant) throw new Error('TOY_CHAIN_FILE and MERCHANT are required');
const toy = createToyRail({ chain: createToyChain({ file }) });
const facilitator = createFacilitator({ schemes: [toy.facilitator] });
const { server } = await createPaidServer({ toy, merchant, facilitator });
await server.connect(new StdioServerTransport());
