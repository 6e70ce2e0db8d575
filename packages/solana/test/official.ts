/**
 * The official @x402/svm roles on a local chain that poses as devnet (its RPC helpers accept only
 * the public networks) — one construction shared by the interop tests and the bench.
 */

import { createKeyPairSignerFromBytes } from '@solana/kit';
import { toFacilitatorSvmSigner } from '@x402/svm';
import { ExactSvmScheme as OfficialSvmClient } from '@x402/svm/exact/client';
import { ExactSvmScheme as OfficialSvmFacilitator } from '@x402/svm/exact/facilitator';

export async function createOfficialFacilitator(rpcUrl: string, secretKey: Uint8Array) {
  const signer = await createKeyPairSignerFromBytes(secretKey);
  return new OfficialSvmFacilitator(toFacilitatorSvmSigner(signer, { defaultRpcUrl: rpcUrl }));
}

export async function createOfficialClient(rpcUrl: string, secretKey: Uint8Array) {
  const signer = await createKeyPairSignerFromBytes(secretKey);
  return new OfficialSvmClient(signer, { rpcUrl });
}
