/**
 * @x402-rails/mcp — paid MCP tools and a paying MCP client over the x402 MCP transport. The server
 * role lives on `./server`, the client role on `./client`; this entry holds the shared wire shapes.
 */
export {
  ACCEPTS_META_KEY,
  PAYMENT_ERROR_META_KEY,
  PAYMENT_META_KEY,
  PAYMENT_RESPONSE_META_KEY,
  paymentRequiredOf,
  type ToolResultLike,
  toolResourceUrl,
} from './meta.js';
