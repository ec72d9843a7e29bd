// The public widget config in upstream mode comes from the mirror. A request may reach upstream
// at most once per shop per minute: in the background for a mirrored shop whose binding is older
// than that, on the request path for a shop the mirror does not know yet (`discover`, which the
// tenancy lookups use too). While upstream is down
// the last known binding is served and `upstreamUnavailable` says so (a response header).
import { ApiError } from '../../errors.ts';
import type { WidgetShop } from '../backend.ts';
import type { UpstreamOpenApi } from './api.ts';
import type { MirroredBinding } from './mirror.ts';
import { isRefusal } from './client.ts';
import type { StoreLogger } from '../../store/log.ts';

export const UPSTREAM_CHECK_INTERVAL_MS = 60_000;
const TRACKED_MAX = 10_000;

export class MirrorWidgetSource {
  /** Last upstream call per shop made because of a widget-config request. */
  private readonly lastCall = new Map<string, number>();
  /** Shops whose last upstream call failed (not a 404), and how: the error a new shop gets meanwhile. */
  private readonly failed = new Map<string, ApiError>();
  /** The upstream call under way per shop. */
  private readonly inflight = new Map<string, Promise<void>>();

  constructor(
    private readonly api: UpstreamOpenApi,
    private readonly log: StoreLogger,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The shop's binding; undefined when upstream does not know it (or it is disabled, or has no
   * workgroup). `upstreamUnavailable`: the last attempt to reach upstream for it failed.
   */
  async lookup(shopUid: string): Promise<WidgetShop | undefined> {
    const row = await this.api.mirror.find(shopUid);
    if (row) {
      if (this.isDue(shopUid) && this.now() - row.seen_at >= UPSTREAM_CHECK_INTERVAL_MS) void this.check(shopUid).catch(() => {});
      return this.fromRow(row);
    }
    const found = await this.discover(shopUid);
    return found && this.fromRow(found);
  }

  /** Whether this process has not asked upstream about the shop within the last minute. */
  private isDue(shopUid: string): boolean {
    return this.now() - (this.lastCall.get(shopUid) ?? -Infinity) >= UPSTREAM_CHECK_INTERVAL_MS;
  }

  /**
   * A shop the mirror does not know: asked upstream at most once per shop per minute (concurrent
   * callers share the call); undefined when upstream does not know it either. Within the minute
   * after a failed call, that failure again. Public routes (the widget config, the goods card) reach
   * upstream only through here.
   */
  async discover(shopUid: string): Promise<MirroredBinding | undefined> {
    const pending = this.inflight.get(shopUid) ?? (this.isDue(shopUid) ? this.check(shopUid) : undefined);
    if (!pending) {
      const failure = this.failed.get(shopUid);
      if (failure) throw failure;
      return undefined;
    }
    try {
      await pending;
    } catch (err) {
      if (isRefusal(err)) return undefined;
      throw err;
    }
    return this.api.mirror.find(shopUid);
  }

  private fromRow(row: MirroredBinding): WidgetShop | undefined {
    if (!row.enabled || row.workgroup_uid === null) return undefined;
    return { orgUid: row.org_uid, workgroupUid: row.workgroup_uid, name: row.name, logo: row.logo, upstreamUnavailable: this.failed.has(row.shop_uid) };
  }

  private recovered(shopUid: string): void {
    if (this.failed.delete(shopUid)) this.api.mirror.events.shopChanged(shopUid);
  }

  /** One upstream binding call for this shop; the mirror records what it shows. */
  private check(shopUid: string): Promise<void> {
    if (this.lastCall.size >= TRACKED_MAX) this.lastCall.clear();
    this.lastCall.set(shopUid, this.now());
    const call = this.call(shopUid).finally(() => this.inflight.delete(shopUid));
    this.inflight.set(shopUid, call);
    return call;
  }

  private async call(shopUid: string): Promise<void> {
    try {
      await this.api.binding(shopUid);
      this.recovered(shopUid);
    } catch (err) {
      if (isRefusal(err)) {
        this.recovered(shopUid);
      } else {
        if (this.failed.size >= TRACKED_MAX) this.failed.clear();
        const known = this.failed.has(shopUid);
        this.failed.set(shopUid, err instanceof ApiError ? err : new ApiError(502, 'upstream unavailable'));
        if (!known) this.api.mirror.events.shopChanged(shopUid); // the cached config now says so
        this.log.warn({ shopUid, error: (err as Error).message }, 'upstream binding check failed; serving the mirrored widget config');
      }
      throw err;
    }
  }
}
