/** Program addresses the exact scheme names. */
import { type Address, address } from '@solana/kit';

export const TOKEN_PROGRAM: Address = address('TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA');
/**
 * Token-2022. Its TransferChecked has Token's layout (discriminator 12, same accounts), so the
 * Token program's instruction builder and parser serve both with this program address.
 */
export const TOKEN_2022_PROGRAM: Address = address('TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb');
export const COMPUTE_BUDGET_PROGRAM: Address = address(
  'ComputeBudget111111111111111111111111111111',
);
/** SPL Memo v2 — preloaded by LiteSVM; the one the specification names. */
export const MEMO_PROGRAM: Address = address('MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr');
/** Lighthouse: assertion instructions wallets (Phantom, Solflare) inject. */
export const LIGHTHOUSE_PROGRAM: Address = address('L2TExMFKdjpN9kozasaurPirfHy9P8sbXoAN1qA3S95');

export function isTokenProgram(program: string): boolean {
  return program === TOKEN_PROGRAM || program === TOKEN_2022_PROGRAM;
}

/** Longest memo the specification allows (bytes). */
export const MAX_MEMO_BYTES = 256;
