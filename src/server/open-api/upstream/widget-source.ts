// The public widget config in upstream mode comes from the mirror. A request may reach upstream
// at most once per shop per minute: in the background for a mirrored shop whose binding is older
// than that, on the request path for a shop the mirror does not know yet. While upstream is down
// the last known binding is served and `upstreamUnavailable` says so (a response header).
import { ApiError } from '../../errors.ts';
import type { UpstreamOpenApi } from './api.ts';
import { UpstreamError } from './client.ts';
import type { StoreLogger } from '../../store/log.ts';

export const UPSTREAM_CHECK_INTERVAL_MS = 60_000;
const TRACKED_MAX = 10_000;

/** What the widget config needs of a shop. */
export interface WidgetBinding {
  org: string;
  sid: string;
  name: string;
  logo: string | null;
}

/**
 * Upstream answered, and not with the shop: its 404, or Bytedesk's business error (HTTP 200,
 * code 500), which is how it says "no such shop". Not an outage.
 */
const isRefusal = (err: unknown) => err instanceof UpstreamError && err.kind === 'envelope' && err.upstreamCode !== 401;

export class MirrorWidgetSource {
  /** Last upstream call per shop made because of a widget-config request. */
  private readonly lastCall = new Map<string, number>();
  /** Shops whose last upstream call failed (not a 404), and how: the error a new shop gets meanwhile. */
  private readonly failed = new Map<string, ApiError>();

  constructor(
    private readonly api: UpstreamOpenApi,
    private readonly log: StoreLogger,
    private readonly now: () => number = Date.now,
  ) {}

  onChanged(fn: (shopUid: string) => void): () => void {
    return this.api.mirror.onChanged(fn);
  }

  /** Whether the last attempt to reach upstream for this shop failed (the answer is the last known one). */
  upstreamUnavailable(shopUid: string): boolean {
    return this.failed.has(shopUid);
  }

  /** The shop's binding; undefined when upstream does not know it (or it is disabled, or has no workgroup). */
  async lookup(shopUid: string): Promise<WidgetBinding | undefined> {
    const row = await this.api.mirror.find(shopUid);
    const now = this.now();
    const due = now - (this.lastCall.get(shopUid) ?? -Infinity) >= UPSTREAM_CHECK_INTERVAL_MS;
    if (row) {
      if (due && now - row.seen_at >= UPSTREAM_CHECK_INTERVAL_MS) void this.check(shopUid).catch(() => {});
      if (!row.enabled || row.workgroup_uid === null) return undefined;
      return { org: row.org_uid, sid: row.workgroup_uid, name: row.name, logo: row.logo };
    }
    if (!due) {
      const failure = this.failed.get(shopUid);
      if (failure) throw failure;
      return undefined;
    }
    try {
      await this.check(shopUid);
    } catch (err) {
      if (isRefusal(err)) return undefined;
      throw err;
    }
    return this.lookup(shopUid);
  }

  /** One upstream binding call for this shop; the mirror records what it shows. */
  private async check(shopUid: string): Promise<void> {
    if (this.lastCall.size >= TRACKED_MAX) this.lastCall.clear();
    this.lastCall.set(shopUid, this.now());
    try {
      await this.api.binding(shopUid);
      this.failed.delete(shopUid);
    } catch (err) {
      if (isRefusal(err)) {
        this.failed.delete(shopUid);
      } else {
        if (this.failed.size >= TRACKED_MAX) this.failed.clear();
        this.failed.set(shopUid, err instanceof ApiError ? err : new ApiError(502, 'upstream unavailable'));
        this.log.warn({ shopUid, error: (err as Error).message }, 'upstream binding check failed; serving the mirrored widget config');
      }
      throw err;
    }
  }
}
