// Shoplazza (seed 001). Initial token from the partner endpoint, refresh at the store's own host
// `https://{store}.myshoplaza.com/admin/oauth/token` with the redirect_uri the seed insists on;
// both tokens are replaced on refresh. KEY: a private-app access token, checked against the shop API.
import { OAuthErrorResponse, ShoplazzaShopResponse, ShoplazzaTokenResponse } from '../../../shared/store/wire.ts';
import type { StoreAuthType } from '../../../shared/store/api.ts';
import { callbackUrl, type StoreConfig } from '../config.ts';
import {
  HOUR,
  PlatformError,
  isTransientStatus,
  parseWire,
  scrub,
  soon,
  upstream,
  type AdapterOptions,
  type PlatformAdapter,
  type RefreshInput,
  type TokenSet,
  type UpstreamResponse,
} from './platform.ts';

/** A store name goes into a host name: nothing but this. */
export const SHOPLAZZA_STORE_RE = /^[a-z0-9][a-z0-9-]*$/;
const OPENAPI_VERSION = '2022-01';

export function createShoplazzaAdapter(config: StoreConfig, opts: AdapterOptions): PlatformAdapter {
  const now = opts.now ?? Date.now;
  const marginMs = HOUR;
  const P = 'SHOPLAZZA' as const;

  const storeBase = (store: string | null): string => {
    if (!store || store.length > 63 || !SHOPLAZZA_STORE_RE.test(store)) {
      throw new PlatformError('permanent', P, 'store', 'invalid store name');
    }
    return config.SHOPLAZZA_URL_TEMPLATE
      ? config.SHOPLAZZA_URL_TEMPLATE.replaceAll('{store}', store).replace(/\/+$/, '')
      : `https://${store}.${config.SHOPLAZZA_BASE_DOMAIN}`;
  };
  const secrets = () => [config.SHOPLAZZA_CLIENT_SECRET, config.SHOPLAZZA_CLIENT_ID];
  const requireClient = (op: string) => {
    if (!config.SHOPLAZZA_CLIENT_ID || !config.SHOPLAZZA_CLIENT_SECRET) {
      throw new PlatformError('permanent', P, op, 'SHOPLAZZA_CLIENT_ID / SHOPLAZZA_CLIENT_SECRET are not configured');
    }
    return { client_id: config.SHOPLAZZA_CLIENT_ID, client_secret: config.SHOPLAZZA_CLIENT_SECRET };
  };

  const tokenResult = (op: string, res: UpstreamResponse, extraSecrets: (string | null)[]): TokenSet => {
    if (res.status >= 400) {
      const err = OAuthErrorResponse.safeParse(res.body);
      const detail = `${err.success ? `${err.data.error}${err.data.error_description ? `: ${err.data.error_description}` : ''} ` : ''}(HTTP ${res.status})`;
      throw new PlatformError(
        isTransientStatus(res.status) ? 'transient' : 'permanent',
        P,
        op,
        scrub(detail, [...secrets(), ...extraSecrets]),
        res.status,
        err.success ? err.data.error : undefined,
      );
    }
    const t = parseWire(P, op, ShoplazzaTokenResponse, res);
    const at = now();
    const expiresAt =
      t.expires_at !== undefined
        ? t.expires_at * 1000
        : t.expires_in !== undefined
          ? (t.created_at !== undefined ? t.created_at * 1000 : at) + t.expires_in * 1000
          : soon(at, marginMs);
    return {
      accessToken: t.access_token,
      refreshToken: t.refresh_token ?? null,
      expiresAt,
      refreshExpiresAt: null,
      sellerId: t.store_name ?? null,
      sellerName: t.store_name ?? null,
      scope: t.scope ?? null,
    };
  };

  return {
    platform: P,
    refreshMarginMs: marginMs,
    supports: { URL: true, KEY: true },
    configured: () => Boolean(config.SHOPLAZZA_CLIENT_ID && config.SHOPLAZZA_CLIENT_SECRET),
    checkSellerId(sellerId: string | undefined, _authType: StoreAuthType) {
      if (!sellerId) return 'sellerId: required for SHOPLAZZA (the store name, as in {store}.myshoplaza.com)';
      if (sellerId.length > 63 || !SHOPLAZZA_STORE_RE.test(sellerId)) {
        return 'sellerId: a Shoplazza store name is lower-case letters, digits and hyphens';
      }
      return null;
    },
    authUrl({ state, sellerId }) {
      const { client_id } = requireClient('authUrl');
      const q = new URLSearchParams({
        client_id,
        scope: config.SHOPLAZZA_SCOPES,
        redirect_uri: callbackUrl(config, P),
        response_type: 'code',
        state,
      });
      return `${storeBase(sellerId)}/admin/oauth/authorize?${q}`;
    },
    async exchangeCode({ code, sellerId }) {
      const client = requireClient('exchangeCode');
      const res = await upstream(P, 'exchangeCode', opts, {
        method: 'POST',
        url: `${config.SHOPLAZZA_PARTNER_URL}/partner/oauth/token`,
        json: {
          ...client,
          code,
          grant_type: 'authorization_code',
          redirect_uri: callbackUrl(config, P),
          ...(sellerId ? { store_name: sellerId } : {}),
        },
      });
      return tokenResult('exchangeCode', res, [code]);
    },
    async validateKey({ sellerId, authInfo }) {
      const token = authInfo.token;
      if (!token) throw new PlatformError('permanent', P, 'validateKey', 'authInfo.token is required');
      const res = await upstream(P, 'validateKey', opts, {
        method: 'GET',
        url: `${storeBase(sellerId)}/openapi/${OPENAPI_VERSION}/shop`,
        headers: { 'access-token': token },
      });
      if (res.status >= 400) {
        throw new PlatformError(
          isTransientStatus(res.status) ? 'transient' : 'permanent',
          P,
          'validateKey',
          res.status === 401 || res.status === 403 ? 'token rejected by the store' : `HTTP ${res.status}`,
          res.status,
        );
      }
      const shop = parseWire(P, 'validateKey', ShoplazzaShopResponse, res).shop;
      // A private-app token does not expire and cannot be refreshed.
      return {
        accessToken: token,
        refreshToken: null,
        expiresAt: null,
        refreshExpiresAt: null,
        sellerId,
        sellerName: shop.name ?? null,
        scope: null,
      };
    },
    canRefresh: (input: RefreshInput) => input.authType === 'URL' && Boolean(input.refreshToken),
    async refresh({ sellerId, refreshToken }) {
      if (!refreshToken) throw new PlatformError('permanent', P, 'refresh', 'no refresh token');
      const client = requireClient('refresh');
      const res = await upstream(P, 'refresh', opts, {
        method: 'POST',
        url: `${storeBase(sellerId)}/admin/oauth/token`,
        json: {
          ...client,
          refresh_token: refreshToken,
          grant_type: 'refresh_token',
          redirect_uri: callbackUrl(config, P),
        },
      });
      return tokenResult('refresh', res, [refreshToken]);
    },
  };
}
