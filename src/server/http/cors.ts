// CORS for the public widget endpoints only (any origin, GET/HEAD, preflight cached 10 minutes);
// every other route sends no CORS header, so browsers on other origins cannot read them.
//
// Replaces @fastify/cors with a per-request options delegator: the plugin normalised (spread) its
// options and merged route options on every request of every route — ~7 % of the CPU of a cached
// widget-config request. Here a non-widget request costs one startsWith.
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

export const widgetCorsPlugin = fp<{ prefix: string }>(
  async (app, { prefix }) => {
    const open = `${prefix}/`;
    app.addHook('onRequest', (request, reply, done) => {
      if (request.url.startsWith(open)) reply.header('access-control-allow-origin', '*');
      done();
    });
    // Preflight: answered whatever the request headers (a bare OPTIONS gets the same 204, never a
    // text/plain 400 outside the envelope); the requested headers are allowed as asked.
    app.options(`${prefix}/*`, { schema: { hide: true } }, (request, reply) => {
      reply.header('access-control-allow-methods', 'GET, HEAD, OPTIONS');
      reply.header('vary', 'Access-Control-Request-Headers');
      const requested = request.headers['access-control-request-headers'];
      if (requested !== undefined) reply.header('access-control-allow-headers', requested);
      reply.header('access-control-max-age', '600');
      reply.code(204).header('content-length', '0').send();
    });
  },
  { name: 'shop-chat-widget-cors' },
) as FastifyPluginAsync<{ prefix: string }>;
