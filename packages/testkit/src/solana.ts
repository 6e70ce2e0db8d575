/**
 * A local Solana for tests and the playground: a JSON-RPC server over LiteSVM (issue 5).
 */
export {};
