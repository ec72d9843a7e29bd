// The OpenAPI document, generated from the routes' zod schemas, at /openapi.json, and a reference
// page at /docs; neither with `docs: false` (SHOP_CHAT_DOCS=off).
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { createJsonSchemaTransform } from 'fastify-type-provider-zod';

export const openApiPlugin = fp<{ docs: boolean }>(
  async (app, { docs }) => {
    if (!docs) return;
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
      transform: createJsonSchemaTransform({ skipList: [] }),
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'shop-chat-openapi' },
) as FastifyPluginAsync<{ docs: boolean }>;
