/** Why a payment is refused: the failure the checks return, and reasons read from token reverts. */
import { EvmReason } from '../reasons.js';

export type Failure = {
  ok: false;
  reason: string;
  message: string;
  payer?: string;
  usedOnChain?: boolean;
};

export const fail = (reason: string, message: string, payer?: string): Failure => ({
  ok: false,
  reason,
  message,
  ...(payer ? { payer } : {}),
});

/** Maps a revert message of the token (USDC's strings and common custom errors) to a reason. */
export function reasonForRevert(message: string | undefined, fallback: string): string {
  if (!message) return fallback;
  if (/used or canceled|AuthorizationUsed|AuthorizationAlreadyUsed/i.test(message))
    return EvmReason.nonceUsed;
  if (/not yet valid|AuthorizationNotYetValid/i.test(message)) return EvmReason.validAfter;
  if (/authorization is expired|AuthorizationExpired/i.test(message)) return EvmReason.validBefore;
  if (/invalid signature|ECRecover|SignerMismatch|InvalidSignature/i.test(message))
    return EvmReason.signature;
  if (/exceeds balance|insufficient balance|ERC20InsufficientBalance/i.test(message))
    return EvmReason.insufficientFunds;
  return fallback;
}
