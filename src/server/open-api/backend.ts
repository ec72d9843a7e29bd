// The seam between the open-API routes and what serves them: our own database (local.ts, the
// default) or a real Bytedesk behind us (upstream mode, SHOP_CHAT_UPSTREAM_URL). The routes, their
// schemas, the envelope and the OpenAPI document are the same whichever backend compose.ts picks;
// authentication and tenancy stay in the routes, in front of either.
import type {
  AgentSeat,
  OnboardData,
  OnboardRequest,
  Shop,
  ShopUpdateRequest,
  SpringPage,
  VipLevelRequest,
} from '../../shared/api/index.ts';

/** What the routes need of a shop: its tenancy (org) and whether it is enabled. */
export interface ShopRef {
  shopUid: string;
  orgUid: string;
  enabled: boolean;
}

/** What the public widget config is made of. */
export interface WidgetShop {
  orgUid: string;
  /** The chat target: the shop's first enabled workgroup. */
  workgroupUid: string;
  name: string;
  logo: string | null;
  /** Upstream mode: the last attempt to reach upstream for this shop failed; this is the last known binding. */
  upstreamUnavailable?: boolean;
}

/**
 * One implementation per mode. `S` is the backend's own shop record: what `findShop` returns is
 * handed back to the other methods unchanged (the routes only read the `ShopRef` part).
 */
export interface OpenApiBackend<S extends ShopRef = ShopRef> {
  readonly mode: 'local' | 'upstream';
  /** The shop for tenancy checks (token, seat and store routes), or undefined when unknown. */
  findShop(shopUid: string): Promise<S | undefined>;
  onboard(req: OnboardRequest): Promise<OnboardData>;
  /**
   * The binding of `shopUid`, or undefined when there is none. `authorize` is called with the
   * shop before its view is handed out (it throws the 403); a backend that must ask someone else
   * calls it before asking.
   */
  binding(shopUid: string, authorize: (shop: ShopRef) => void): Promise<{ shop: S; view: Shop } | undefined>;
  update(shop: S, req: ShopUpdateRequest): Promise<Shop>;
  setVipLevel(shop: S, req: VipLevelRequest): Promise<Shop>;
  querySeats(shop: S, pageNumber: number, pageSize: number): Promise<SpringPage<AgentSeat>>;
  getSeat(shop: S, seatNo: string): Promise<AgentSeat>;
  createSeats(shop: S, seatNos: string[], expireAt: string): Promise<AgentSeat[]>;
  updateSeats(shop: S, seatNos: string[], expireAt: string): Promise<AgentSeat[]>;
  deleteSeats(shop: S, seatNos: string[]): Promise<true>;
  /** The public widget config's data of an enabled shop, or undefined (unknown, disabled, no workgroup). */
  widgetShop(shopUid: string): Promise<WidgetShop | undefined>;
}
