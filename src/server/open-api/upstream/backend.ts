// The upstream backend (SHOP_CHAT_UPSTREAM_URL): the open API served by a real Bytedesk's
// `/api/v1/shop/open/…`, behind our authentication and tenancy checks (in the routes). The shop →
// org mapping those checks need comes from the binding mirror; a shop the mirror does not know yet
// is looked up upstream once and mirrored.
import type { UpstreamConfig } from '../../config.ts';
import type { ShopEvents } from '../../events.ts';
import type { StoreLogger } from '../../store/log.ts';
import type { Vault } from '../../store/vault.ts';
import type { OpenApiBackend, ShopRef } from '../backend.ts';
import { UpstreamOpenApi } from './api.ts';
import { isRefusal, type UpstreamTransport } from './client.ts';
import { UpstreamCredential } from './credential.ts';
import { BindingMirror, type MirroredBinding } from './mirror.ts';
import { upstreamDb } from './tables.ts';
import { MirrorWidgetSource } from './widget-source.ts';

export interface UpstreamServices {
  backend: OpenApiBackend;
  credential: UpstreamCredential;
  mirror: BindingMirror;
}

export interface UpstreamBackendOptions {
  db: unknown;
  config: UpstreamConfig;
  vault: Vault;
  log: StoreLogger;
  events: ShopEvents;
  now?: () => Date;
  fetch?: typeof fetch;
}

const refOf = (row: MirroredBinding): ShopRef => ({ shopUid: row.shop_uid, orgUid: row.org_uid, enabled: row.enabled === 1 });

export function createUpstreamBackend(o: UpstreamBackendOptions): UpstreamServices {
  const db = upstreamDb(o.db);
  const ms = o.now ? () => o.now!().getTime() : Date.now;
  const transport: UpstreamTransport = { baseUrl: o.config.url, timeoutMs: o.config.timeoutMs, ...(o.fetch ? { fetch: o.fetch } : {}) };
  const initial = o.config.initialAccessToken ? { accessToken: o.config.initialAccessToken, refreshToken: o.config.initialRefreshToken } : undefined;
  const credential = new UpstreamCredential({ db, vault: o.vault, transport, log: o.log, now: ms, ...(initial ? { initial } : {}) });
  const mirror = new BindingMirror(db, o.events, ms);
  const api = new UpstreamOpenApi(transport, credential, mirror);
  const widget = new MirrorWidgetSource(api, o.log, ms);

  /** Upstream's binding of a shop the mirror does not know (an explicit binding call); undefined (a 404) when upstream refuses it. */
  async function discover(shopUid: string) {
    try {
      return await api.binding(shopUid);
    } catch (err) {
      if (isRefusal(err)) return undefined;
      throw err;
    }
  }

  const backend: OpenApiBackend = {
    mode: 'upstream',
    async findShop(shopUid) {
      // Unknown shops are asked upstream at most once per shop per minute: the public goods card finds shops here too.
      const row = (await mirror.find(shopUid)) ?? (await widget.discover(shopUid));
      return row && refOf(row);
    },
    onboard: (req) => api.onboard(req),
    async binding(shopUid, authorize) {
      const row = await mirror.find(shopUid);
      // A known shop: the tenancy check before upstream is asked; an unknown one: before its view is handed out.
      if (row) authorize(refOf(row));
      const found = row ? await api.binding(shopUid) : await discover(shopUid);
      if (!found) return undefined;
      const shop = { shopUid: found.shop.shopUid, orgUid: found.shop.orgUid, enabled: found.shop.enabled };
      authorize(shop);
      return { shop, view: found.shop };
    },
    update: (shop, req) => api.update({ ...req, shopUid: shop.shopUid }),
    setVipLevel: (shop, req) => api.vipLevel({ ...req, shopUid: shop.shopUid }),
    querySeats: (shop, pageNumber, pageSize) => api.querySeats(shop.shopUid, pageNumber, pageSize),
    getSeat: (shop, seatNo) => api.seatDetail(shop.shopUid, seatNo),
    createSeats: (shop, seatNoList, expireAt) => api.createSeats({ shopUid: shop.shopUid, seatNoList, expireAt }),
    updateSeats: (shop, seatNoList, expireAt) => api.updateSeats({ shopUid: shop.shopUid, seatNoList, expireAt }),
    deleteSeats: (shop, seatNoList) => api.deleteSeats({ shopUid: shop.shopUid, seatNoList }),
    widgetShop: (shopUid) => widget.lookup(shopUid),
  };
  return { backend, credential, mirror };
}
