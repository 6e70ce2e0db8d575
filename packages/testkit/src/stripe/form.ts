/**
 * Parses an `application/x-www-form-urlencoded` body the way Stripe reads what its SDKs send:
 * nested keys `a[b][c]=v`, list items `a[0]=v` (or `a[]=v`), everything else a string.
 */
export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormObject = { [key: string]: FormValue };

const PATH = /^([^[\]]+)((?:\[[^[\]]*\])*)$/;

export function parseForm(body: string): FormObject {
  const root: FormObject = {};
  for (const [rawKey, value] of new URLSearchParams(body)) {
    const match = PATH.exec(rawKey);
    if (!match) throw new FormError(`Invalid parameter name: ${rawKey}`, rawKey);
    const head = match[1] as string;
    const rest = [...(match[2] ?? '').matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1] as string);
    assign(root, [head, ...rest], value, rawKey);
  }
  return normalizeLists(root) as FormObject;
}

export class FormError extends Error {
  constructor(
    message: string,
    readonly param: string,
  ) {
    super(message);
  }
}

function assign(target: FormObject, path: string[], value: string, rawKey: string): void {
  let node: FormObject = target;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] as string;
    const next = node[key];
    if (next === undefined) {
      const child: FormObject = {};
      node[key] = child;
      node = child;
    } else if (typeof next === 'object' && !Array.isArray(next)) {
      node = next;
    } else {
      throw new FormError(`Invalid parameter: ${rawKey} mixes a value and a hash`, rawKey);
    }
  }
  const last = path[path.length - 1] as string;
  if (last === '') {
    // `a[]=v`: append under the next free index.
    const index = String(Object.keys(node).length);
    node[index] = value;
    return;
  }
  if (node[last] !== undefined && typeof node[last] !== 'string')
    throw new FormError(`Invalid parameter: ${rawKey} mixes a value and a hash`, rawKey);
  node[last] = value;
}

/** Turns hashes whose keys are 0..n-1 into lists. */
function normalizeLists(value: FormValue): FormValue {
  if (typeof value === 'string' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  const entries = keys.map((k) => [k, normalizeLists(value[k] as FormValue)] as const);
  if (keys.length > 0 && keys.every((k, i) => k === String(i))) return entries.map(([, v]) => v);
  return Object.fromEntries(entries);
}
