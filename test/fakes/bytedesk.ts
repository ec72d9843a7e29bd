// A fake upstream Bytedesk (enterprise/platform edition) speaking the shop open API of seed 000,
// in Bytedesk's way of failing: business errors are HTTP 200 with `{ message, code: 500, data: false }`;
// only 400/401/403/409 come with real statuses. Knobs inject faults (slow, down, malformed) and count
// calls. Everything here is in memory and obviously fake.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultKnobs } from './knobs.ts';

export type BytedeskFault =
  | { type: 'business'; message?: string } // HTTP 200, { code: 500, data: false }
  | { type: 'status'; status: 400 | 401 | 403 | 409 | 429; message?: string; retryAfter?: string } // a real status with the envelope
  | { type: 'hang'; ms: number } // answers after ms (past the client's timeout)
  | { type: 'garbage' } // HTTP 200, not JSON
  | { type: 'html502' } // a proxy in front of upstream failed: HTTP 502, an HTML page
  | { type: 'shape' } // HTTP 200, a success envelope whose data is not the seed's shape
  | { type: 'reset' }; // the socket is destroyed

const rand = (prefix: string) => `${prefix}_${randomBytes(9).toString('hex')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pad = (n: number) => String(n).padStart(2, '0');
/** `yyyy-MM-dd HH:mm:ss` in Asia/Shanghai, as Bytedesk writes createdAt/updatedAt. */
const ts = (d = new Date()) => {
  const s = new Date(d.getTime() + 8 * 3_600_000);
  return `${s.getUTCFullYear()}-${pad(s.getUTCMonth() + 1)}-${pad(s.getUTCDate())} ${pad(s.getUTCHours())}:${pad(s.getUTCMinutes())}:${pad(s.getUTCSeconds())}`;
};
const isoCst = (ms: number) => `${ts(new Date(ms)).replace(' ', 'T')}+08:00`;

interface Seat {
  uid: string;
  userUid: null;
  orgUid: string;
  level: null;
  platform: null;
  createdAt: string;
  updatedAt: string;
  seatNo: string;
  source: 'BASE' | 'EXTRA';
  status: 'AVAILABLE';
  baseSeat: boolean;
  expireAt: string | null;
  assignedAgentUid: null;
  assignedMemberUid: null;
  assignedAt: null;
  releasedAt: null;
  type: 'CUSTOMER';
}

interface FakeShop {
  uid: string;
  orgUid: string;
  shopUid: string;
  name: string;
  logo: string | null;
  vipLevel: number;
  mobile: string;
  createdAt: string;
  updatedAt: string;
  agentUid: string;
  workgroupUid: string;
  seats: Seat[];
}

export class FakeBytedesk extends FaultKnobs<BytedeskFault> {
  url = '';
  private server?: Server;
  private port = 0;
  private readonly shops = new Map<string, FakeShop>();
  /** access token → expiry (epoch ms; null: permanent). */
  private readonly access = new Map<string, number | null>();
  /** refresh token → whether it still works (rotation retires the old one). */
  private readonly refresh = new Map<string, boolean>();
  /** Authorization headers and bodies received (leak checks). */
  readonly received: { op: string; authorization: string | undefined; body: string }[] = [];
  /** Lifetime of an access token issued by token/refresh. */
  accessTtlMs = 3_600_000;

  /** A credential for the server under test: a permanent token, or a pair whose access token lives `ttlMs`. */
  issue(o: { permanent?: boolean; ttlMs?: number } = {}): { accessToken: string; refreshToken?: string; expiresAt: number | null } {
    const accessToken = rand('bd_at');
    if (o.permanent) {
      this.access.set(accessToken, null);
      return { accessToken, expiresAt: null };
    }
    const expiresAt = Date.now() + (o.ttlMs ?? this.accessTtlMs);
    const refreshToken = rand('bd_rt');
    this.access.set(accessToken, expiresAt);
    this.refresh.set(refreshToken, true);
    return { accessToken, refreshToken, expiresAt };
  }
  /** Every access token issued so far now answers 401 (expired). */
  expireAccessTokens(): void {
    for (const [t, exp] of this.access) if (exp !== null) this.access.set(t, Date.now() - 1);
  }
  /** Every refresh token is refused from now on (revoked at upstream). */
  revokeRefreshTokens(): void {
    for (const t of this.refresh.keys()) this.refresh.set(t, false);
  }
  /** Every token value ever issued (leak checks). */
  issuedTokens(): string[] {
    return [...this.access.keys(), ...this.refresh.keys()];
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.dispatch(req, res));
    await new Promise<void>((r) => this.server!.listen(this.port, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${this.port}`;
    return this.url;
  }
  /** Upstream down: nothing listens on its port (connection refused) until `start()` again. */
  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    this.server = undefined;
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    const op = url.pathname.replace(/^\/api\/v1\/shop\/open\//, '');
    const { delayMs, fault } = this.called(op);
    this.received.push({ op, authorization: req.headers.authorization, body: raw });
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (delayMs) await sleep(delayMs);
    if (fault) {
      switch (fault.type) {
        case 'business':
          return send(200, { message: fault.message ?? 'business error', code: 500, data: false });
        case 'status':
          return send(fault.status, { message: fault.message ?? `status ${fault.status}`, code: fault.status, data: false }, fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
        case 'hang':
          await sleep(fault.ms);
          if (!res.destroyed) send(200, { message: 'too late', code: 200, data: null });
          return;
        case 'garbage':
          res.writeHead(200, { 'content-type': 'application/json' });
          return void res.end('{"message":"success","code":200,"data":{');
        case 'html502':
          res.writeHead(502, { 'content-type': 'text/html' });
          return void res.end('<html><body>502 Bad Gateway</body></html>');
        case 'shape':
          return send(200, { message: 'success', code: 200, data: { shopUid: 42, shop: 'nope', content: 'nope' } });
        case 'reset':
          return void req.socket.destroy();
      }
    }
    let body: Record<string, any> = {};
    try {
      body = raw ? JSON.parse(raw) : {};
    } catch {
      return send(400, { message: 'malformed JSON', code: 400, data: false });
    }
    if (op === 'token/refresh') return this.tokenRefresh(body, send);
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const exp = auth === undefined ? undefined : this.access.get(auth);
    if (exp === undefined) return send(401, { message: 'invalid token', code: 401, data: false });
    if (exp !== null && exp <= Date.now()) return send(401, { message: 'token expired', code: 401, data: false });
    const ok = (data: unknown) => send(200, { message: 'success', code: 200, data });
    const business = (message: string) => send(200, { message, code: 500, data: false });
    const shopUid = String(url.searchParams.get('shopUid') ?? body.shopUid ?? '');
    const shop = this.shops.get(shopUid);
    switch (op) {
      case 'onboard': {
        if (!body.mobile || !shopUid) return send(400, { message: 'mobile and shopUid are required', code: 400, data: false });
        const s = shop ?? this.newShop(shopUid, String(body.mobile), body.shopName ?? shopUid);
        if (body.shopName) s.name = body.shopName;
        if (body.shopLogo !== undefined) s.logo = body.shopLogo;
        return ok({ mobile: body.mobile, country: body.country ?? '86', shopList: [...this.shops.values()].filter((x) => x.mobile === s.mobile).map((x) => this.view(x)) });
      }
      case 'binding':
        return shop ? ok({ shopUid, shop: this.view(shop) }) : business('店铺不存在');
      case 'update':
      case 'shop/vip-level':
        if (!shop) return business('店铺不存在');
        if (body.shopName) shop.name = body.shopName;
        if (body.shopLogo !== undefined) shop.logo = body.shopLogo;
        if (typeof body.vipLevel === 'number') shop.vipLevel = body.vipLevel;
        shop.updatedAt = ts();
        return ok(this.view(shop));
      case 'agent-seat/query': {
        if (!shop) return business('店铺不存在');
        const size = Number(body.pageSize ?? 20);
        const page = Number(body.pageNumber ?? 0);
        const content = shop.seats.slice(page * size, page * size + size);
        const totalPages = Math.ceil(shop.seats.length / size);
        const sort = { empty: true, sorted: false, unsorted: true };
        return ok({
          content,
          pageable: { pageNumber: page, pageSize: size, offset: page * size, paged: true, unpaged: false, sort },
          last: page + 1 >= totalPages,
          totalPages,
          totalElements: shop.seats.length,
          size,
          number: page,
          sort,
          first: page === 0,
          numberOfElements: content.length,
          empty: content.length === 0,
        });
      }
      case 'agent-seat/detail': {
        const seat = shop?.seats.find((x) => x.seatNo === url.searchParams.get('seatNo'));
        return seat ? ok(seat) : business('席位不存在');
      }
      case 'agent-seat/create': {
        if (!shop) return business('店铺不存在');
        const nos: string[] = body.seatNoList ?? (body.seatNo ? [body.seatNo] : []);
        if (nos.some((n) => shop.seats.some((x) => x.seatNo === n))) return send(409, { message: '席位编号已存在', code: 409, data: false });
        const created = nos.map((n) => this.newSeat(shop, n, false, body.expireAt ?? null));
        shop.seats.push(...created);
        return ok(created);
      }
      case 'agent-seat/update': {
        if (!shop) return business('店铺不存在');
        const nos: string[] = body.seatNoList ?? (body.seatNo ? [body.seatNo] : []);
        const seats = nos.map((n) => shop.seats.find((x) => x.seatNo === n));
        if (seats.some((x) => !x)) return business('席位不存在');
        for (const s of seats) Object.assign(s!, { expireAt: body.expireAt, updatedAt: ts() });
        return ok(seats);
      }
      case 'agent-seat/delete': {
        if (!shop) return business('店铺不存在');
        const nos: string[] = body.seatNoList ?? (body.seatNo ? [body.seatNo] : []);
        shop.seats = shop.seats.filter((x) => !nos.includes(x.seatNo));
        return ok(true);
      }
      default:
        return send(404, { message: `no route ${op}`, code: 404, data: false });
    }
  }

  private tokenRefresh(body: Record<string, any>, send: (status: number, body: unknown) => void): void {
    const valid = this.refresh.get(String(body.refreshToken ?? ''));
    // Bytedesk: an unknown or revoked refresh token is a business error, HTTP 200.
    if (!valid) return send(200, { message: 'refresh token invalid', code: 500, data: false });
    // Rotation: the old refresh token and the old access tokens stop working.
    this.refresh.set(String(body.refreshToken), false);
    const next = this.issue({ ttlMs: this.accessTtlMs });
    send(200, {
      message: 'success',
      code: 200,
      data: {
        uid: 'token_fake',
        userUid: 'user_fake',
        orgUid: 'org_platform',
        level: null,
        platform: null,
        createdAt: ts(),
        updatedAt: ts(),
        name: 'shop-chat',
        description: null,
        accessToken: next.accessToken,
        refreshToken: next.refreshToken,
        type: null,
        scope: [],
        expiresAt: isoCst(next.expiresAt!),
        permanent: false,
        revoked: false,
        revokeReason: null,
        channel: body.channel ?? null,
        device: null,
      },
    });
  }

  private newShop(shopUid: string, mobile: string, name: string): FakeShop {
    const now = ts();
    const s: FakeShop = {
      uid: rand('shop'),
      orgUid: rand('df_org'),
      shopUid,
      name,
      logo: null,
      vipLevel: 0,
      mobile,
      createdAt: now,
      updatedAt: now,
      agentUid: rand('agent'),
      workgroupUid: rand('df_wg'),
      seats: [],
    };
    s.seats.push(this.newSeat(s, `${shopUid}-base-1`, true, null));
    this.shops.set(shopUid, s);
    return s;
  }

  private newSeat(shop: FakeShop, seatNo: string, base: boolean, expireAt: string | null): Seat {
    const now = ts();
    return {
      uid: rand('seat'),
      userUid: null,
      orgUid: shop.orgUid,
      level: null,
      platform: null,
      createdAt: now,
      updatedAt: now,
      seatNo,
      source: base ? 'BASE' : 'EXTRA',
      status: 'AVAILABLE',
      baseSeat: base,
      expireAt,
      assignedAgentUid: null,
      assignedMemberUid: null,
      assignedAt: null,
      releasedAt: null,
      type: 'CUSTOMER',
    };
  }

  private view(s: FakeShop) {
    return {
      uid: s.uid,
      userUid: null,
      orgUid: s.orgUid,
      level: null,
      platform: null,
      createdAt: s.createdAt,
      updatedAt: s.updatedAt,
      name: s.name,
      shopUid: s.shopUid,
      description: null,
      logo: s.logo,
      type: 'FLAGSHIP',
      status: null,
      expireAt: null,
      enabled: true,
      vipLevel: s.vipLevel,
      agents: [{ uid: s.agentUid, nickname: s.mobile, avatar: null, status: null, enabled: true, seatExpireAt: null }],
      agentSeats: s.seats,
      workgroups: [{ uid: s.workgroupUid, nickname: s.name, avatar: null, type: null, status: null, enabled: true }],
    };
  }
}
