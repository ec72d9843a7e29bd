// Response serialization: each route's zod response schema is converted once to JSON Schema and
// compiled with fast-json-stringify (Fastify's own serializer). fastify-type-provider-zod's
// serializer ran `schema.safeEncode` (a full validation pass over the response) and then
// JSON.stringify on every response — the largest single cost of a small GET after the database.
//
// What is kept: only properties declared in the schema are written (fast-json-stringify ignores
// every other property of an object whose schema does not allow additional properties, as zod's
// strip did), so nothing outside the schema can leak into a response; a missing required property
// is still an error (500). What is not: zod's value checks on the way out (string formats, lengths);
// responses are built by our code from typed rows, the request side is still validated by zod.
//
// Schemas whose wire form differs between input and output (transforms, codecs, defaults) or that
// JSON Schema cannot express keep the zod serializer.
import fastJson from 'fast-json-stringify';
import { serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';

type JsonSchema = Record<string, unknown>;
type CompilerInput = Parameters<typeof zodSerializerCompiler>[0];

function resolveZod(schema: unknown): z.ZodType | undefined {
  if (schema instanceof z.ZodType) return schema;
  const props = (schema as { properties?: unknown } | null)?.properties;
  return props instanceof z.ZodType ? props : undefined;
}

/**
 * Simplifies what zod emits into what fast-json-stringify serializes fastest: `anyOf` with `{}`
 * (unknown) becomes `{}`; integer bounds of ±MAX_SAFE_INTEGER are dropped (not checked anyway).
 */
function simplify(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(simplify);
  if (!node || typeof node !== 'object') return node;
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(node as JsonSchema)) {
    // annotations only (a property may well be called `description`: its value is a schema object)
    if ((k === '$schema' || k === 'description') && typeof v === 'string') continue;
    out[k] = simplify(v);
  }
  const anyOf = out.anyOf as JsonSchema[] | undefined;
  if (Array.isArray(anyOf) && anyOf.some((s) => s && typeof s === 'object' && Object.keys(s).length === 0)) {
    delete out.anyOf;
  }
  if (out.type === 'integer' && out.minimum === Number.MIN_SAFE_INTEGER && out.maximum === Number.MAX_SAFE_INTEGER) {
    delete out.minimum;
    delete out.maximum;
  }
  return out;
}

/** The JSON Schema fast-json-stringify compiles for `schema`, or undefined when the zod serializer must stay. */
export function responseJsonSchema(schema: z.ZodType): JsonSchema | undefined {
  try {
    const output = z.toJSONSchema(schema, { target: 'draft-7', io: 'output' });
    const input = z.toJSONSchema(schema, { target: 'draft-7', io: 'input' });
    // Input mode leaves objects open (zod strips unknown keys rather than rejecting them); anything
    // else that differs means a transform, codec or default: keep zod.
    const closed = (k: string, v: unknown) => (k === 'additionalProperties' && v === false ? undefined : v);
    if (JSON.stringify(output, closed) !== JSON.stringify(input, closed)) return undefined;
    return simplify(output) as JsonSchema;
  } catch {
    return undefined;
  }
}

/** Fastify serializer compiler: fast-json-stringify from the zod schema, else fastify-type-provider-zod's. */
export function fastSerializerCompiler(input: CompilerInput): (data: unknown) => string {
  const zodSchema = resolveZod(input.schema);
  const json = zodSchema ? responseJsonSchema(zodSchema) : undefined;
  if (json) {
    try {
      return fastJson(json) as (data: unknown) => string;
    } catch {
      /* fall through to zod */
    }
  }
  return zodSerializerCompiler(input);
}
