// The OpenAPI document, generated from the routes' zod schemas, at /openapi.json, and a reference
// page at /docs; neither with `docs: false` (SHOP_CHAT_DOCS=off). It passes `redocly lint` (recommended rules) with no error or warning
// (test/node/openapi.test.ts): the operation table (openapi-operations.ts) names and describes every
// operation, routes without a bearer are marked public, and the generated schemas are brought into
// OpenAPI 3.0's form.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { createJsonSchemaTransform } from 'fastify-type-provider-zod';
import { OPERATIONS } from './openapi-operations.ts';

export interface OpenApiOptions {
  /** Serve /docs and /openapi.json (SHOP_CHAT_DOCS). */
  docs: boolean;
  /** Where the API is served (SHOP_CHAT_PUBLIC_URL): the document's `servers`. */
  publicUrl?: string;
  /** The document's version (the package's). */
  version?: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * OpenAPI 3.0 wants a type beside `nullable`: zod's `unknown().nullable()` (the error envelope's
 * `data`, null or the error's details) comes out as a bare `{ nullable: true }`.
 */
function typeNullables(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(typeNullables);
  if (!isObject(node)) return;
  if (node.nullable === true && node.type === undefined && !node.anyOf && !node.oneOf && !node.allOf && !node.$ref) {
    node.type = 'object';
    node.additionalProperties ??= true;
  }
  for (const v of Object.values(node)) typeNullables(v);
}

/** The error envelope a route documents for 4xx, for the operations that document none (a malformed request is a 400 anywhere). */
function some4xx(responses: Json): Json | undefined {
  return Object.entries(responses).find(([code]) => /^4/i.test(code))?.[1] as Json | undefined;
}

export function finishDocument(doc: Json, options: OpenApiOptions): Json {
  doc.servers = [{ url: options.publicUrl ?? 'http://127.0.0.1:9003', description: 'This server (SHOP_CHAT_PUBLIC_URL)' }];
  const info = doc.info as Json;
  info.license = { name: 'MIT', url: 'https://opensource.org/license/mit' };
  if (options.version) info.version = options.version;
  typeNullables(doc.paths);
  let error4xx: Json | undefined;
  const operations = Object.values(doc.paths as Record<string, Record<string, Json>>).flatMap((item) => Object.values(item));
  for (const op of operations) error4xx ??= some4xx(op.responses as Json);
  for (const op of operations) {
    const responses = op.responses as Json;
    if (!some4xx(responses) && error4xx) responses['4XX'] = { ...error4xx, description: 'Error envelope: a malformed request' };
  }
  return doc;
}

export const openApiPlugin = fp<OpenApiOptions>(
  async (app, options) => {
    if (!options.docs) return;
    const zodTransform = createJsonSchemaTransform({ skipList: [] });
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'shop-chat open API',
          description:
            'Shop open API (onboard, binding, seats, tokens), public widget endpoints and store connections. Every JSON response is `{ message, code, data }`; the HTTP status equals `code` for errors.',
          version: '0.1.0',
        },
        components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
      },
      transform: (args) => {
        const out = zodTransform(args) as { schema: Json; url: string };
        if (out.schema.hide) return out;
        const method = [args.route.method].flat()[0];
        const doc = OPERATIONS[`${method} ${args.url}`];
        const schema: Json = { ...out.schema, security: out.schema.security ?? [] }; // no bearer: public
        if (doc) {
          schema.operationId = doc.operationId;
          schema.description = doc.description;
          const response = schema.response as Json | undefined;
          if (response && isObject(response[200])) response[200] = { ...response[200], description: doc.ok };
        }
        return { ...out, schema };
      },
      transformObject: (documentObject) => finishDocument((documentObject as { openapiObject: Json }).openapiObject, options) as never,
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'shop-chat-openapi' },
) as FastifyPluginAsync<OpenApiOptions>;
