// Local fake store platforms (node:http) speaking the wire formats of seeds 001 (Shoplazza),
// 002 (Youzan) and 003 (FKW), with knobs to inject failures and to count calls.
// All credentials here are obviously fake.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { FaultKnobs } from './knobs.ts';

export type Fault =
  | { type: 'status'; status: number; body?: unknown } // e.g. 503, or a 400 with an OAuth error
  | { type: 'hang'; ms: number } // answer only after ms (beyond the client's timeout)
  | { type: 'reset' } // destroy the socket
  | { type: 'garbage' }; // HTTP 200 with a non-JSON body

const rand = (prefix: string) => `${prefix}_${randomBytes(12).toString('base64url')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

abstract class FakeServer extends FaultKnobs<Fault> {
  private server?: Server;
  url = '';
  /** Every request's method + path + query + body, for leak checks of what was sent. */
  readonly requests: { op: string; url: string; body: string }[] = [];

  protected abstract route(req: IncomingMessage, url: URL, body: string): { op: string; handle: () => [number, unknown] } | undefined;

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.dispatch(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }
  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    const r = this.route(req, url, body);
    if (!r) return send(res, 404, { error: 'not_found' });
    const { delayMs, fault } = this.called(r.op);
    this.requests.push({ op: r.op, url: req.url ?? '', body });
    if (delayMs) await sleep(delayMs);
    if (fault) {
      if (fault.type === 'status') return send(res, fault.status, fault.body ?? { error: 'server_error' });
      if (fault.type === 'reset') return void req.socket.destroy();
      if (fault.type === 'garbage') {
        res.writeHead(200, { 'content-type': 'text/html' });
        return void res.end('<html>gateway</html>');
      }
      if (fault.type === 'hang') {
        await sleep(fault.ms);
        if (res.destroyed || req.socket.destroyed) return;
      }
    }
    const [status, out] = r.handle();
    send(res, status, out);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function json(body: string): Record<string, unknown> {
  try {
    const v = JSON.parse(body);
    return v && typeof v === 'object' ? v : {};
  } catch {
    return {};
  }
}

/** Live access token → owner (store, shop), with every token of an owner dropped in O(its tokens):
 * a refresh replaces the pair, and a scan of all tokens made the 10,000-store benchmark quadratic. */
export class OwnedTokens extends Map<string, string> {
  private byOwner = new Map<string, Set<string>>();
  override set(token: string, owner: string): this {
    const old = super.get(token);
    if (old !== undefined) this.byOwner.get(old)?.delete(token);
    super.set(token, owner);
    let set = this.byOwner.get(owner);
    if (!set) this.byOwner.set(owner, (set = new Set()));
    set.add(token);
    return this;
  }
  override delete(token: string): boolean {
    const owner = super.get(token);
    if (owner !== undefined) this.byOwner.get(owner)?.delete(token);
    return super.delete(token);
  }
  override clear(): void {
    this.byOwner.clear();
    super.clear();
  }
  /** Drops every live token of `owner`. */
  dropOwner(owner: string): void {
    for (const t of this.byOwner.get(owner) ?? []) super.delete(t);
    this.byOwner.delete(owner);
  }
}

// ---------------------------------------------------------------------------------------------
// Shoplazza (seed 001): partner endpoint for the first token, the store host for refreshes.
// Store hosts are mapped to paths: SHOPLAZZA_URL_TEMPLATE=<url>/stores/{store}.

export class FakeShoplazza extends FakeServer {
  clientId = 'fake-shoplazza-client';
  clientSecret = 'fake-shoplazza-secret-0000';
  redirectUri = '';
  expiresIn = 31_556_951;
  /** Omit expires_at / expires_in from token responses. */
  omitExpiry = false;
  private codes = new Map<string, string>(); // code → store
  private refresh = new Map<string, string>(); // live refresh token → store
  readonly access = new OwnedTokens(); // live access token → store
  private privateTokens = new Map<string, string>(); // private-app token → store

  get template(): string {
    return `${this.url}/stores/{store}`;
  }
  issueCode(store: string): string {
    const code = rand('slz_code');
    this.codes.set(code, store);
    return code;
  }
  addPrivateToken(store: string): string {
    const t = rand('slz_private');
    this.privateTokens.set(t, store);
    return t;
  }
  /** Seeds a live pair, as if authorised earlier. */
  seedPair(store: string): { accessToken: string; refreshToken: string } {
    const accessToken = rand('slz_at');
    const refreshToken = rand('slz_rt');
    this.access.set(accessToken, store);
    this.refresh.set(refreshToken, store);
    return { accessToken, refreshToken };
  }
  isRefreshTokenLive(t: string): boolean {
    return this.refresh.has(t);
  }

  private issue(store: string): [number, unknown] {
    const at = rand('slz_at');
    const rt = rand('slz_rt');
    this.access.set(at, store);
    this.refresh.set(rt, store);
    const now = Math.floor(Date.now() / 1000);
    return [
      200,
      {
        access_token: at,
        token_type: 'Bearer',
        ...(this.omitExpiry ? {} : { expires_in: this.expiresIn, expires_at: now + this.expiresIn }),
        refresh_token: rt,
        scope: 'read_shop read_product',
        created_at: now,
        store_id: '1000001',
        store_name: store,
        locale: 'zh-CN',
      },
    ];
  }

  private checkClient(b: Record<string, unknown>): [number, unknown] | undefined {
    if (b.client_id !== this.clientId || b.client_secret !== this.clientSecret) {
      return [401, { error: 'invalid_client', error_description: 'Client authentication failed' }];
    }
    if (!b.redirect_uri || (this.redirectUri && b.redirect_uri !== this.redirectUri)) {
      return [400, { error: 'invalid_request', error_description: 'redirect_uri is missing or does not match' }];
    }
    return undefined;
  }

  protected route(req: IncomingMessage, url: URL, body: string) {
    if (req.method === 'POST' && url.pathname === '/partner/oauth/token') {
      return {
        op: 'exchange',
        handle: (): [number, unknown] => {
          const b = json(body);
          const bad = this.checkClient(b);
          if (bad) return bad;
          const store = this.codes.get(String(b.code));
          if (b.grant_type !== 'authorization_code' || !store) {
            return [400, { error: 'invalid_grant', error_description: 'The provided authorization grant is invalid' }];
          }
          this.codes.delete(String(b.code));
          return this.issue(store);
        },
      };
    }
    const m = /^\/stores\/([a-z0-9][a-z0-9-]*)(\/.*)$/.exec(url.pathname);
    if (!m) return undefined;
    const store = m[1]!;
    const rest = m[2]!;
    if (req.method === 'POST' && rest === '/admin/oauth/token') {
      return {
        op: 'refresh',
        handle: (): [number, unknown] => {
          const b = json(body);
          const bad = this.checkClient(b);
          if (bad) return bad;
          const rt = String(b.refresh_token);
          if (b.grant_type !== 'refresh_token' || this.refresh.get(rt) !== store) {
            return [400, { error: 'invalid_grant', error_description: 'The refresh token is invalid' }];
          }
          this.refresh.delete(rt); // both tokens are replaced
          this.access.dropOwner(store);
          return this.issue(store);
        },
      };
    }
    if (req.method === 'GET' && rest === '/openapi/2022-01/shop') {
      return {
        op: 'shop',
        handle: (): [number, unknown] => {
          const t = String(req.headers['access-token'] ?? '');
          const s = this.privateTokens.get(t) ?? this.access.get(t);
          if (s !== store) return [401, { errors: ['Unauthorized'] }];
          return [200, { shop: { id: '1000001', name: `Store ${store}`, domain: `${store}.myshoplaza.com` } }];
        },
      };
    }
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Youzan (seed 002): POST /auth/token, envelope {success, code, data, message}.

export class FakeYouzan extends FakeServer {
  clientId = 'fake-youzan-client';
  clientSecret = 'fake-youzan-secret-0000';
  /** Self-use apps: client id → { secret, grant id }. */
  private apps = new Map<string, { secret: string; grantId: string }>();
  private codes = new Map<string, string>(); // code → grant id
  private current = new Map<string, { at: string; rt: string; expires: number }>(); // grant → live pair
  private refreshOwner = new Map<string, string>(); // live refresh token → grant
  readonly access = new Map<string, string>();
  omitExpiry = false;

  addSelfUseApp(grantId: string): { apiKey: string; apiSecret: string } {
    const apiKey = rand('yz_app');
    const apiSecret = rand('yz_secret');
    this.apps.set(apiKey, { secret: apiSecret, grantId });
    return { apiKey, apiSecret };
  }
  issueCode(grantId: string): string {
    const code = rand('yz_code');
    this.codes.set(code, grantId);
    return code;
  }
  isRefreshTokenLive(t: string): boolean {
    return this.refreshOwner.has(t);
  }
  currentPair(grantId: string) {
    return this.current.get(grantId);
  }

  private rotate(grant: string): [number, unknown] {
    const old = this.current.get(grant);
    if (old) {
      this.refreshOwner.delete(old.rt); // the new refresh token kills the old one at once
      this.access.delete(old.at);
    }
    const pair = { at: rand('yz_at'), rt: rand('yz_rt'), expires: Date.now() + 7 * 86_400_000 };
    this.current.set(grant, pair);
    this.refreshOwner.set(pair.rt, grant);
    this.access.set(pair.at, grant);
    return this.ok(grant, pair);
  }
  private ok(grant: string, pair: { at: string; rt: string; expires: number }): [number, unknown] {
    return [
      200,
      {
        success: true,
        code: 200,
        data: {
          ...(this.omitExpiry ? {} : { expires: pair.expires }),
          scope: 'item shop trade',
          access_token: pair.at,
          authority_id: grant,
          refresh_token: pair.rt,
        },
        message: null,
      },
    ];
  }
  private fail(code: number, message: string): [number, unknown] {
    return [200, { success: false, code, data: null, message }];
  }

  protected route(req: IncomingMessage, url: URL, body: string) {
    if (req.method !== 'POST' || url.pathname !== '/auth/token') return undefined;
    const b = json(body);
    const op =
      b.authorize_type === 'silent' ? (b.refresh === true || b.refresh === 'true' ? 'silent-refresh' : 'silent') : String(b.authorize_type);
    return {
      op,
      handle: (): [number, unknown] => {
        if (!String(req.headers['content-type'] ?? '').includes('application/json')) return this.fail(40001, 'content-type must be application/json');
        if (b.authorize_type === 'silent') {
          const app = this.apps.get(String(b.client_id));
          if (!app || app.secret !== b.client_secret) return this.fail(40010, 'invalid client_id or client_secret');
          if (String(b.grant_id) !== app.grantId) return this.fail(40012, 'grant_id not authorised for this app');
          const cur = this.current.get(app.grantId);
          // Seed 002: repeated calls without refresh within the hour return the same pair.
          if (cur && !(b.refresh === true || b.refresh === 'true')) return this.ok(app.grantId, cur);
          return this.rotate(app.grantId);
        }
        if (b.client_id !== this.clientId || b.client_secret !== this.clientSecret) return this.fail(40010, 'invalid client_id or client_secret');
        if (b.authorize_type === 'authorization_code') {
          const grant = this.codes.get(String(b.code));
          if (!grant) return this.fail(40005, 'invalid code');
          this.codes.delete(String(b.code));
          return this.rotate(grant);
        }
        if (b.authorize_type === 'refresh_token') {
          const grant = this.refreshOwner.get(String(b.refresh_token));
          if (!grant) return this.fail(40003, 'refresh_token is invalid or expired');
          return this.rotate(grant);
        }
        return this.fail(40002, 'unsupported authorize_type');
      },
    };
  }
}

// ---------------------------------------------------------------------------------------------
// FKW (seed 003): parameters in the query string; errors as {rt, success:false, msg} at HTTP 200.

export interface FakeFkwProduct {
  id: string;
  name: string;
  picture?: string;
  on_shelf?: boolean;
  sku_list?: { sku_id: string; price: number; properties_name?: string; stock?: number; product_code?: string }[];
}

export class FakeFkw extends FakeServer {
  clientId = 'fake-fkw-app';
  clientSecret = 'fake-fkw-secret-0000';
  expiresIn = 7200;
  reExpiresIn = 2_419_200;
  private codes = new Map<string, { shopId: string; exp: number }>();
  private refresh = new Map<string, string>(); // live refresh → shop
  readonly access = new OwnedTokens(); // live access → shop
  products = new Map<string, FakeFkwProduct[]>(); // shop id → products

  issueCode(shopId: string, opts: { expired?: boolean } = {}): string {
    const code = rand('fkw_code');
    this.codes.set(code, { shopId, exp: Date.now() + (opts.expired ? -1 : 10 * 60_000) });
    return code;
  }
  seedPair(shopId: string): { accessToken: string; refreshToken: string } {
    const accessToken = rand('fkw_at');
    const refreshToken = rand('fkw_rt');
    this.access.set(accessToken, shopId);
    this.refresh.set(refreshToken, shopId);
    return { accessToken, refreshToken };
  }
  isRefreshTokenLive(t: string): boolean {
    return this.refresh.has(t);
  }
  private issue(shopId: string): [number, unknown] {
    const at = rand('fkw_at');
    const rt = rand('fkw_rt');
    this.access.set(at, shopId);
    this.refresh.set(rt, shopId);
    return [
      200,
      {
        shop_id: shopId,
        shop_name: `FKW shop ${shopId}`,
        user_id: shopId,
        re_expires_in: this.reExpiresIn,
        expires_in: this.expiresIn,
        token_type: 'fkw',
        refresh_token: rt,
        access_token: at,
        platform_code: 'FKW',
      },
    ];
  }
  private err(rt: number, msg: string): [number, unknown] {
    return [200, { rt, success: false, msg }];
  }

  protected route(req: IncomingMessage, url: URL) {
    const q = url.searchParams;
    const clientOk = () => q.get('client_id') === this.clientId && q.get('client_secret') === this.clientSecret;
    if (req.method === 'POST' && url.pathname === '/api/oauth/getAccessToken') {
      return {
        op: 'getAccessToken',
        handle: (): [number, unknown] => {
          if (!clientOk()) return this.err(-1, 'client_id或client_secret错误');
          if (q.get('grant_type') !== 'authorization_code') return this.err(-2, '参数【grant_type】为必填项');
          const c = this.codes.get(q.get('code') ?? '');
          if (!c) return this.err(101, '授权码无效。');
          this.codes.delete(q.get('code')!);
          if (c.exp < Date.now()) return this.err(100, '授权码已过期。');
          return this.issue(c.shopId);
        },
      };
    }
    if (req.method === 'POST' && url.pathname === '/api/oauth/refreshAccessToken') {
      return {
        op: 'refreshAccessToken',
        handle: (): [number, unknown] => {
          if (!clientOk()) return this.err(-1, 'client_id或client_secret错误');
          const rt = q.get('refresh_token') ?? '';
          const shop = this.refresh.get(rt);
          if (q.get('grant_type') !== 'refresh_token' || !shop) return this.err(102, 'refresh_token无效或已过期。');
          this.refresh.delete(rt);
          this.access.dropOwner(shop);
          return this.issue(shop);
        },
      };
    }
    if (req.method === 'GET' && url.pathname === '/api/product/getList') {
      return {
        op: 'getProductList',
        handle: (): [number, unknown] => {
          const shop = this.access.get(q.get('access_token') ?? '');
          if (!shop) return this.err(-3, 'access_token无效');
          const all = this.products.get(shop) ?? [];
          const size = Math.min(200, Number(q.get('page_size') ?? 200));
          const page = Math.max(1, Number(q.get('page_no') ?? 1));
          return [200, { rt: 0, success: true, msg: '查询成功', product_list: all.slice((page - 1) * size, page * size), total: all.length }];
        },
      };
    }
    return undefined;
  }
}

export async function startFakes(): Promise<{ shoplazza: FakeShoplazza; youzan: FakeYouzan; fkw: FakeFkw; close(): Promise<void> }> {
  const shoplazza = new FakeShoplazza();
  const youzan = new FakeYouzan();
  const fkw = new FakeFkw();
  await Promise.all([shoplazza.start(), youzan.start(), fkw.start()]);
  return { shoplazza, youzan, fkw, close: async () => void (await Promise.all([shoplazza.close(), youzan.close(), fkw.close()])) };
}

/** The store env pointing every platform at the fakes (fake credentials only). */
export function fakeStoreEnv(f: { shoplazza: FakeShoplazza; youzan: FakeYouzan; fkw: FakeFkw }): Record<string, string> {
  return {
    SHOPLAZZA_CLIENT_ID: f.shoplazza.clientId,
    SHOPLAZZA_CLIENT_SECRET: f.shoplazza.clientSecret,
    SHOPLAZZA_URL_TEMPLATE: f.shoplazza.template,
    SHOPLAZZA_PARTNER_URL: f.shoplazza.url,
    YOUZAN_CLIENT_ID: f.youzan.clientId,
    YOUZAN_CLIENT_SECRET: f.youzan.clientSecret,
    YOUZAN_BASE_URL: f.youzan.url,
    FKW_APP_ID: f.fkw.clientId,
    FKW_APP_SECRET: f.fkw.clientSecret,
    FKW_BASE_URL: f.fkw.url,
  };
}

// ---------------------------------------------------------------------------------------------
// A business system receiving the store webhook: records bodies, signatures and ids; can refuse.

export interface ReceivedWebhook {
  body: Record<string, unknown>;
  raw: string;
  signature: string;
  /** X-Shop-Chat-Delivery-Id: the same on every attempt of one delivery. */
  deliveryId: string;
  /** X-Shop-Chat-Event-Id. */
  eventId: string;
}

export class FakeWebhookReceiver extends FakeServer {
  /** Deliveries accepted (answered 200). */
  readonly received: ReceivedWebhook[] = [];
  /** Every attempt that reached the handler, accepted or refused (not those `inject` failed). */
  readonly attempts: (ReceivedWebhook & { status: number })[] = [];
  /** While set, every delivery is refused with this HTTP status. */
  refuseWith: number | undefined;
  protected route(req: IncomingMessage, url: URL, body: string) {
    if (req.method !== 'POST' || url.pathname !== '/hook') return undefined;
    return {
      op: 'hook',
      handle: (): [number, unknown] => {
        const hook: ReceivedWebhook = {
          body: json(body),
          raw: body,
          signature: String(req.headers['x-shop-chat-signature'] ?? ''),
          deliveryId: String(req.headers['x-shop-chat-delivery-id'] ?? ''),
          eventId: String(req.headers['x-shop-chat-event-id'] ?? ''),
        };
        const status = this.refuseWith ?? 200;
        this.attempts.push({ ...hook, status });
        if (status !== 200) return [status, { error: 'refused' }];
        this.received.push(hook);
        return [200, { ok: true }];
      },
    };
  }
  get hookUrl(): string {
    return `${this.url}/hook`;
  }
  async waitFor(n: number, timeoutMs = 5000): Promise<ReceivedWebhook[]> {
    const end = Date.now() + timeoutMs;
    while (this.received.length < n && Date.now() < end) await sleep(20);
    return this.received;
  }
}
