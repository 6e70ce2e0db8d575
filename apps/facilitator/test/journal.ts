/** Reads the facilitator's settlement journal straight from its PGlite directory (service stopped). */
import { openStore } from '@x402-rails/store';

/** The journal key of a toy payment: `scheme:network:` + the rail's payment id. */
export function toyKey(from: string, nonce: string): string {
  return `exact:toy:local:toy:local:${from}:${nonce}`;
}

export async function journalRow(dataDir: string, key: string) {
  const store = await openStore({ driver: 'pglite', dataDir });
  try {
    return await store.settlements.get(key);
  } finally {
    await store.close();
  }
}
