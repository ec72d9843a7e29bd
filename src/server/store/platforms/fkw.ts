// FKW (凡科/我来, seed 003). getAuthCode → getAccessToken (code valid 10 min) → refreshAccessToken;
// parameters travel in the query string (so no URL of these calls is ever logged); errors come as
// `{rt, success:false, msg}`, possibly with HTTP 200 — `success` decides, not the status.
// Access tokens live 2 hours, refresh tokens 28 days. Products: GET /api/product/getList.
import type { StoreAuthType } from '../../../shared/store/api.ts';
import { FkwEnvelope, FkwProductListResponse, FkwTokenResponse, type FkwProduct } from '../../../shared/store/wire.ts';
import { callbackUrl, type StoreConfig } from '../config.ts';
import {
  MINUTE,
  PlatformError,
  isTransientStatus,
  parseWire,
  scrub,
  soon,
  upstream,
  type AdapterOptions,
  type PlatformAdapter,
  type PlatformGoods,
  type TokenSet,
  type UpstreamResponse,
} from './platform.ts';

const PAGE_SIZE = 200;
const MAX_PAGES = 25;

export function createFkwAdapter(config: StoreConfig, opts: AdapterOptions): PlatformAdapter {
  const now = opts.now ?? Date.now;
  const marginMs = 10 * MINUTE;
  const P = 'FKW' as const;
  const base = config.FKW_BASE_URL;

  const requireClient = (op: string) => {
    if (!config.FKW_APP_ID || !config.FKW_APP_SECRET) {
      throw new PlatformError('permanent', P, op, 'FKW_APP_ID / FKW_APP_SECRET are not configured');
    }
    return { client_id: config.FKW_APP_ID, client_secret: config.FKW_APP_SECRET };
  };

  /** `success:false` is a refusal whatever the HTTP status; 5xx/429 without it are transient. */
  const checkEnvelope = (op: string, res: UpstreamResponse, secrets: (string | null | undefined)[]) => {
    const env = FkwEnvelope.safeParse(res.body);
    if (env.success && env.data.success === false) {
      throw new PlatformError(
        isTransientStatus(res.status) ? 'transient' : 'permanent',
        P,
        op,
        scrub(`rt ${env.data.rt ?? '?'}: ${env.data.msg ?? 'refused'}`, secrets),
        res.status,
        env.data.rt,
      );
    }
    if (res.status >= 400) {
      throw new PlatformError(isTransientStatus(res.status) ? 'transient' : 'permanent', P, op, `HTTP ${res.status}`, res.status);
    }
  };

  const tokenCall = async (op: string, path: string, params: Record<string, string>, secrets: string[]): Promise<TokenSet> => {
    const res = await upstream(P, op, opts, { method: 'POST', url: `${base}${path}?${new URLSearchParams(params)}` });
    checkEnvelope(op, res, secrets);
    const t = parseWire(P, op, FkwTokenResponse, res);
    const at = now();
    return {
      accessToken: t.access_token,
      refreshToken: t.refresh_token,
      expiresAt: t.expires_in !== undefined && t.expires_in > 0 ? at + t.expires_in * 1000 : soon(at, marginMs),
      refreshExpiresAt: t.re_expires_in !== undefined && t.re_expires_in > 0 ? at + t.re_expires_in * 1000 : null,
      sellerId: t.shop_id,
      sellerName: t.shop_name ?? null,
      scope: null,
    };
  };

  const toGoods = (p: FkwProduct): PlatformGoods => {
    const prices = (p.sku_list ?? []).map((s) => s.price).filter((n): n is number => typeof n === 'number' && Number.isFinite(n) && n >= 0);
    return {
      id: p.id,
      title: p.name,
      image: p.picture && /^https?:\/\//i.test(p.picture) ? p.picture : undefined,
      price: prices.length ? Math.min(...prices) : undefined,
      onShelf: p.on_shelf,
    };
  };

  return {
    platform: P,
    refreshMarginMs: marginMs,
    supports: { URL: true, KEY: false },
    configured: () => Boolean(config.FKW_APP_ID && config.FKW_APP_SECRET),
    checkSellerId(sellerId: string | undefined, _authType: StoreAuthType) {
      if (sellerId !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(sellerId)) return 'sellerId: an FKW shop id is letters and digits';
      return null;
    },
    authUrl({ state }) {
      const { client_id } = requireClient('authUrl');
      const q = new URLSearchParams({
        cmd: 'getAuthCode',
        client_id,
        platform_code: config.FKW_PLATFORM_CODE,
        redirect_uri: callbackUrl(config, P),
        state,
      });
      return `${base}/api/oauth/getAuthCode?${q}`;
    },
    exchangeCode({ code }) {
      const client = requireClient('exchangeCode');
      return tokenCall('exchangeCode', '/api/oauth/getAccessToken', { ...client, grant_type: 'authorization_code', code }, [
        client.client_secret,
        code,
      ]);
    },
    async validateKey() {
      throw new PlatformError('permanent', P, 'validateKey', 'FKW supports URL authorisation only');
    },
    canRefresh: (input) => Boolean(input.refreshToken),
    refresh({ refreshToken }) {
      if (!refreshToken) return Promise.reject(new PlatformError('permanent', P, 'refresh', 'no refresh token'));
      const client = requireClient('refresh');
      return tokenCall('refresh', '/api/oauth/refreshAccessToken', { ...client, grant_type: 'refresh_token', refresh_token: refreshToken }, [
        client.client_secret,
        refreshToken,
      ]);
    },
    async listGoods({ accessToken, spend }) {
      const goods: PlatformGoods[] = [];
      for (let page = 1; page <= MAX_PAGES; page++) {
        if (!spend()) return { goods, complete: false };
        const q = new URLSearchParams({
          access_token: accessToken,
          method: 'getProductList',
          page_no: String(page),
          page_size: String(PAGE_SIZE),
        });
        const res = await upstream(P, 'getProductList', opts, { method: 'GET', url: `${base}/api/product/getList?${q}` });
        checkEnvelope('getProductList', res, [accessToken]);
        const list = parseWire(P, 'getProductList', FkwProductListResponse, res);
        for (const p of list.product_list) goods.push(toGoods(p));
        const total = list.total ?? 0;
        if (list.product_list.length < PAGE_SIZE || page * PAGE_SIZE >= total) return { goods, complete: true };
      }
      return { goods, complete: false };
    },
  };
}
