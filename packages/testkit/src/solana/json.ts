/**
 * JSON for Solana's JSON-RPC: u64 values (lamports, rentEpoch = u64::MAX) must go out as plain
 * JSON numbers, which `JSON.stringify` cannot write for a bigint; kit parses them back losslessly.
 */
const MARK = '~~u64~~';
const MARKED = new RegExp(`"${MARK}(\\d+)"`, 'g');

export function stringifyRpc(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? `${MARK}${v}` : v)).replace(
    MARKED,
    '$1',
  );
}
