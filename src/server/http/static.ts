// The built widget at /widget/ and the demo pages at /demo/, each from its folder when present.
import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

export interface StaticOptions {
  /** Folder of `/widget/` (the built bundles), or null for none. */
  widget: string | null;
  /** Folder of `/demo/`, or null for none. */
  demo: string | null;
}

export const staticPlugin = fp<StaticOptions>(
  async (app, { widget, demo }) => {
    let decorated = false;
    for (const [root, prefix] of [
      [widget, '/widget/'],
      [demo, '/demo/'],
    ] as const) {
      if (!root || !existsSync(root)) continue;
      // index/redirect off: with ignoreTrailingSlash they collide into a 404; the folder route below does both.
      await app.register(fastifyStatic, { root, prefix, decorateReply: !decorated, index: false, redirect: false, wildcard: true });
      decorated = true;
      // `/demo` → `/demo/` (relative links need the slash), `/demo/` → its index.html.
      app.get(prefix, { schema: { hide: true } }, (request, reply) =>
        request.url.split('?')[0]!.endsWith('/') ? reply.sendFile('index.html', root) : reply.redirect(prefix, 301),
      );
    }
  },
  { name: 'shop-chat-static' },
) as FastifyPluginAsync<StaticOptions>;
