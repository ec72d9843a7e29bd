// A tiny static HTTP server for the browser benchmarks and tests: serves dist/ under /dist/, pages
// registered in memory, and a stand-in chat page at /chat. Every request is recorded.
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join, normalize } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT } from './lib.ts';

export interface StaticServer {
  url: string;
  pages: Map<string, string>;
  requests: { path: string; at: number }[];
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', map: 'application/json', html: 'text/html; charset=utf-8', json: 'application/json' };

export async function startStaticServer(): Promise<StaticServer> {
  const pages = new Map<string, string>();
  const requests: { path: string; at: number }[] = [];
  const gz = (req: IncomingMessage) => /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    requests.push({ path, at: Date.now() });
    const send = (status: number, type: string, body: Buffer | string) => {
      let buf = Buffer.isBuffer(body) ? body : Buffer.from(body);
      const headers: Record<string, string> = { 'content-type': type, 'cache-control': 'no-store' };
      if (gz(req) && buf.length > 256) {
        buf = gzipSync(buf, { level: 9 });
        headers['content-encoding'] = 'gzip';
      }
      headers['content-length'] = String(buf.length);
      res.writeHead(status, headers);
      res.end(buf);
    };
    if (pages.has(path)) return send(200, TYPES.html!, pages.get(path)!);
    if (path.startsWith('/chat')) return send(200, TYPES.html!, '<!doctype html><title>chat</title><p>chat page</p>');
    if (path.startsWith('/dist/')) {
      const file = normalize(join(ROOT, 'dist', path.slice('/dist/'.length)));
      if (!file.startsWith(join(ROOT, 'dist')) || !existsSync(file) || !statSync(file).isFile()) return send(404, 'text/plain', 'not found');
      const ext = file.split('.').pop() ?? '';
      if (gz(req)) return send(200, TYPES[ext] ?? 'application/octet-stream', readFileSync(file));
      res.writeHead(200, { 'content-type': TYPES[ext] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      return void createReadStream(file).pipe(res);
    }
    if (path === '/favicon.ico') return send(204, 'text/plain', '');
    send(404, 'text/plain', 'not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    pages,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export { CHROME_ARGS, chromePath } from '../../scripts/chromium.mjs';
