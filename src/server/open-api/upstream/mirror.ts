// The binding mirror: what the public widget config and the tenancy checks need of every shop seen
// from upstream (shop, org, first workgroup, name, logo), kept locally so that the widget config
// answers while upstream is down and the shop → org mapping costs no upstream call.
import type { Shop } from '../../../shared/api/index.ts';
import type { ShopEvents } from '../../events.ts';
import type { UpstreamBindingTable, UpstreamDb } from './tables.ts';
import type { Selectable } from 'kysely';

export type MirroredBinding = Selectable<UpstreamBindingTable>;

/** The chat target of a shop: its first enabled workgroup, else its first one. */
export function firstWorkgroupUid(shop: Shop): string | null {
  return (shop.workgroups.find((w) => w.enabled) ?? shop.workgroups[0])?.uid ?? null;
}

/** Every change is told to `events` (the widget config's cache listens). */
export class BindingMirror {
  constructor(
    private readonly db: UpstreamDb,
    readonly events: ShopEvents,
    private readonly now: () => number = Date.now,
  ) {}

  async find(shopUid: string): Promise<MirroredBinding | undefined> {
    const row = await this.db.selectFrom('upstream_binding').selectAll().where('shop_uid', '=', shopUid).executeTakeFirst();
    return row ? { ...row, enabled: Number(row.enabled), seen_at: Number(row.seen_at), created_at: Number(row.created_at), updated_at: Number(row.updated_at) } : undefined;
  }

  /** Keeps what upstream just showed of these shops. */
  async record(shops: Shop[]): Promise<void> {
    const now = this.now();
    for (const shop of shops) {
      const values = {
        org_uid: shop.orgUid,
        workgroup_uid: firstWorkgroupUid(shop),
        name: shop.name,
        logo: shop.logo,
        enabled: shop.enabled ? 1 : 0,
        seen_at: now,
        updated_at: now,
      };
      await this.db
        .insertInto('upstream_binding')
        .values({ ...values, shop_uid: shop.shopUid, created_at: now })
        .onConflict((oc) => oc.column('shop_uid').doUpdateSet(values))
        .execute();
      // API tokens of ours name the organisation (a foreign key to orgs): upstream's is known here.
      const ts = new Date(now).toISOString();
      await this.db
        .insertInto('orgs')
        .values({ uid: shop.orgUid, name: shop.name, vip_level: shop.vipLevel, vip_expire_date: null, max_members: null, max_agents: null, max_workgroups: null, created_at: ts, updated_at: ts })
        .onConflict((oc) => oc.column('uid').doNothing())
        .execute();
      this.events.shopChanged(shop.shopUid);
    }
  }

  /** Upstream no longer knows the shop: the widget config answers 404 for it from now on. */
  async forget(shopUid: string): Promise<void> {
    await this.db.updateTable('upstream_binding').set({ enabled: 0, updated_at: this.now() }).where('shop_uid', '=', shopUid).execute();
    this.events.shopChanged(shopUid);
  }
}
