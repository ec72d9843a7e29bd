// Youzan (seed 002). `POST /auth/token` answers `{success, code, data, message}`; access tokens live
// 7 days (`expires` in epoch ms), refresh tokens 28 days, and a new refresh token kills the old one.
// KEY: a self-use app — authInfo.apiKey/apiSecret are its client id/secret, sellerId the kdt_id
// (grant_id) — with `authorize_type=silent`; refresh repeats it with `refresh=true`.
// URL: the tool-app code flow (`authorization_code`, then `refresh_token`).
import type { StoreAuthType } from '../../../shared/store/api.ts';
import { YouzanTokenData, YouzanTokenEnvelope } from '../../../shared/store/wire.ts';
import { callbackUrl, type StoreConfig } from '../config.ts';
import {
  DAY,
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
} from './platform.ts';

const REFRESH_TTL = 28 * DAY;

export function createYouzanAdapter(config: StoreConfig, opts: AdapterOptions): PlatformAdapter {
  const now = opts.now ?? Date.now;
  const marginMs = HOUR;
  const P = 'YOUZAN' as const;
  const base = config.YOUZAN_BASE_URL;

  const requireClient = (op: string) => {
    if (!config.YOUZAN_CLIENT_ID || !config.YOUZAN_CLIENT_SECRET) {
      throw new PlatformError('permanent', P, op, 'YOUZAN_CLIENT_ID / YOUZAN_CLIENT_SECRET are not configured');
    }
    return { client_id: config.YOUZAN_CLIENT_ID, client_secret: config.YOUZAN_CLIENT_SECRET };
  };

  const token = async (op: string, body: Record<string, unknown>, secrets: (string | null | undefined)[]): Promise<TokenSet> => {
    const res = await upstream(P, op, opts, { method: 'POST', url: `${base}/auth/token`, json: body });
    if (res.body === undefined || (isTransientStatus(res.status) && !YouzanTokenEnvelope.safeParse(res.body).success)) {
      throw new PlatformError(isTransientStatus(res.status) ? 'transient' : 'permanent', P, op, `HTTP ${res.status}`, res.status);
    }
    const env = parseWire(P, op, YouzanTokenEnvelope, res);
    if (!env.success) {
      const transient = isTransientStatus(res.status) || (env.code !== undefined && env.code >= 500 && env.code < 600);
      throw new PlatformError(
        transient ? 'transient' : 'permanent',
        P,
        op,
        scrub(`code ${env.code ?? '?'}: ${env.message ?? 'refused'}`, secrets),
        res.status,
        env.code,
      );
    }
    const data = parseWire(P, op, YouzanTokenData, { status: res.status, body: env.data });
    const at = now();
    return {
      accessToken: data.access_token,
      refreshToken: data.refresh_token ?? null,
      expiresAt: data.expires !== undefined ? data.expires : soon(at, marginMs),
      refreshExpiresAt: data.refresh_token ? at + REFRESH_TTL : null,
      sellerId: data.authority_id ?? null,
      sellerName: null,
      scope: data.scope ?? null,
    };
  };

  return {
    platform: P,
    refreshMarginMs: marginMs,
    supports: { URL: true, KEY: true },
    configured: () => Boolean(config.YOUZAN_CLIENT_ID && config.YOUZAN_CLIENT_SECRET),
    checkSellerId(sellerId: string | undefined, authType: StoreAuthType) {
      if (authType === 'KEY' && !sellerId) return 'sellerId: required for YOUZAN KEY authorisation (the shop id, kdt_id)';
      if (sellerId !== undefined && !/^\d{1,20}$/.test(sellerId)) return 'sellerId: a Youzan shop id (kdt_id) is numeric';
      return null;
    },
    authUrl({ state }) {
      const { client_id } = requireClient('authUrl');
      const q = new URLSearchParams({ client_id, response_type: 'code', state, redirect_uri: callbackUrl(config, P) });
      return `${base}/auth/authorize?${q}`;
    },
    exchangeCode({ code }) {
      const client = requireClient('exchangeCode');
      return token(
        'exchangeCode',
        { ...client, authorize_type: 'authorization_code', code, redirect_uri: callbackUrl(config, P) },
        [client.client_secret, code],
      );
    },
    async validateKey({ sellerId, authInfo }) {
      if (!authInfo.apiKey || !authInfo.apiSecret || !sellerId) {
        throw new PlatformError('permanent', P, 'validateKey', 'apiKey, apiSecret and sellerId are required');
      }
      const t = await token(
        'validateKey',
        { client_id: authInfo.apiKey, client_secret: authInfo.apiSecret, authorize_type: 'silent', grant_id: sellerId, refresh: false },
        [authInfo.apiSecret, authInfo.apiKey],
      );
      return { ...t, sellerId: t.sellerId ?? sellerId };
    },
    canRefresh: (input: RefreshInput) =>
      input.authType === 'KEY' ? Boolean(input.credentials?.apiKey && input.credentials.apiSecret && input.sellerId) : Boolean(input.refreshToken),
    async refresh({ authType, sellerId, refreshToken, credentials }) {
      if (authType === 'KEY') {
        if (!credentials?.apiKey || !credentials.apiSecret || !sellerId) {
          throw new PlatformError('permanent', P, 'refresh', 'stored KEY credentials are incomplete');
        }
        return token(
          'refresh',
          { client_id: credentials.apiKey, client_secret: credentials.apiSecret, authorize_type: 'silent', grant_id: sellerId, refresh: true },
          [credentials.apiSecret, credentials.apiKey],
        );
      }
      if (!refreshToken) throw new PlatformError('permanent', P, 'refresh', 'no refresh token');
      const client = requireClient('refresh');
      return token('refresh', { ...client, authorize_type: 'refresh_token', refresh_token: refreshToken }, [client.client_secret, refreshToken]);
    },
  };
}
