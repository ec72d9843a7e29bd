// The local backend: the open API served from our own database (services/shops.ts, services/seats.ts).
import type { OnboardRequest, ShopUpdateRequest, VipLevelRequest } from '../../shared/api/index.ts';
import { createSeats, deleteSeats, getSeat, querySeats, updateSeats } from '../services/seats.ts';
import {
  OnboardBatcher,
  findShopByShopUid,
  findWidgetShop,
  loadShopWithView,
  onboard,
  setVipLevel,
  shopRowsCache,
  updateShop,
  type ServiceContext,
  type ShopRecord,
} from '../services/shops.ts';
import type { OpenApiBackend, WidgetShop } from './backend.ts';

export function createLocalBackend(
  context: Omit<ServiceContext, 'onboardBatcher'>,
  limits: { maxSeatsPerShop?: number } = {},
): OpenApiBackend<ShopRecord> {
  const ctx: ServiceContext = { ...context };
  // SQLite: concurrent onboards share one commit (services/shops.ts OnboardBatcher).
  if (ctx.dialect === 'sqlite') ctx.onboardBatcher = new OnboardBatcher(ctx);
  const cache = shopRowsCache();
  return {
    mode: 'local',
    findShop: (shopUid) => findShopByShopUid(ctx.db, shopUid),
    onboard: (req: OnboardRequest) => onboard(ctx, req),
    async binding(shopUid, authorize) {
      const found = await loadShopWithView(ctx.db, cache, shopUid, ctx.timezone, ctx.now());
      if (found) authorize(found.shop);
      return found;
    },
    update: (shop, req: ShopUpdateRequest) => updateShop(ctx, shop, req),
    setVipLevel: (shop, req: VipLevelRequest) => setVipLevel(ctx, shop, req),
    querySeats: (shop, pageNumber, pageSize) => querySeats(ctx, shop, pageNumber, pageSize),
    getSeat: (shop, seatNo) => getSeat(ctx, shop, seatNo),
    createSeats: (shop, seatNos, expireAt) => createSeats(ctx, shop, seatNos, expireAt, limits.maxSeatsPerShop),
    updateSeats: (shop, seatNos, expireAt) => updateSeats(ctx, shop, seatNos, expireAt),
    deleteSeats: (shop, seatNos) => deleteSeats(ctx, shop, seatNos),
    widgetShop: (shopUid): Promise<WidgetShop | undefined> => findWidgetShop(ctx.db, shopUid),
  };
}
