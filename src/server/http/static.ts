// The built widget at /widget/ and the demo pages at /demo/, each from its folder when present,
// and `/`: the demo outside production, a small JSON index in production (or without the demo).
//
// The widget is served twice: at /widget/v<version>/… (immutable, cached for a year: a new release
// is a new URL) and at /widget/… (the current alias: a short cache, revalidated by ETag). Both send
// the brotli or gzip file `npm run build` wrote beside each bundle (preCompressed).
import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

export interface StaticOptions {
  /** Folder of `/widget/` (the built bundles), or null for none. */
  widget: string | null;
  /** Folder of `/demo/`, or null for none. */
  demo: string | null;
  /** Version of the widget: its immutable path /widget/v<version>/. */
  version: string;
  /** NODE_ENV=production: `/` answers the JSON index instead of leading to the demo. */
  production: boolean;
  /** /docs and /openapi.json are served (SHOP_CHAT_DOCS): the index names them. */
  docs?: boolean;
}

/** Cache lifetime of the current alias /widget/…, seconds. */
export const WIDGET_ALIAS_MAX_AGE = 300;
const YEAR = 365 * 24 * 3600;

export const staticPlugin = fp<StaticOptions>(
  async (app, { widget, demo, version, production, docs = true }) => {
    let decorated = false;
    const serve = async (root: string, prefix: string, cache: { maxAge: number; immutable?: boolean } | null, folderRoute: boolean) => {
      // index/redirect off: with ignoreTrailingSlash they collide into a 404; the folder route below does both.
      await app.register(fastifyStatic, {
        root,
        prefix,
        decorateReply: !decorated,
        index: false,
        redirect: false,
        wildcard: true,
        ...(cache
          ? {
              preCompressed: true,
              maxAge: cache.maxAge * 1000,
              immutable: cache.immutable ?? false,
              etag: true,
              // The body depends on Accept-Encoding: caches on the way must keep one copy per encoding.
              setHeaders: (res: { setHeader(name: string, value: string): void }) => res.setHeader('vary', 'accept-encoding'),
            }
          : {}),
      });
      decorated = true;
      if (!folderRoute) return;
      // `/demo` → `/demo/` (relative links need the slash), `/demo/` → its index.html.
      app.get(prefix, { schema: { hide: true } }, (request, reply) =>
        request.url.split('?')[0]!.endsWith('/') ? reply.sendFile('index.html', root) : reply.redirect(prefix, 301),
      );
    };
    const hasWidget = !!widget && existsSync(widget);
    const hasDemo = !!demo && existsSync(demo);
    if (hasWidget) {
      await serve(widget, `/widget/v${version}/`, { maxAge: YEAR, immutable: true }, false);
      await serve(widget, '/widget/', { maxAge: WIDGET_ALIAS_MAX_AGE }, false);
    }
    if (hasDemo) await serve(demo, '/demo/', null, true);

    const index = {
      name: 'shop-chat',
      version,
      ...(docs ? { docs: '/docs', openapi: '/openapi.json' } : {}),
      api: '/api/v1/shop/open',
      widgetApi: '/api/v1/shop/widget',
      health: '/healthz',
      ...(hasWidget ? { widget: `/widget/v${version}/shop-chat.iife.js` } : {}),
      ...(hasDemo ? { demo: '/demo/' } : {}),
    };
    app.get('/', { schema: { hide: true } }, (_request, reply) =>
      hasDemo && !production ? reply.redirect('/demo/', 302) : reply.send({ message: 'success', code: 200, data: index }),
    );
  },
  { name: 'shop-chat-static' },
) as FastifyPluginAsync<StaticOptions>;
