// Change notifications inside one process: the open API tells, the caches listen (the widget
// config's body cache). One instance per set of services (compose.ts), so two apps in one process
// (tests) never hear each other.
export interface ShopEvents {
  /** Calls `fn(shopUid)` after a shop was changed through these services. Returns an unsubscribe. */
  onShopChanged(fn: (shopUid: string) => void): () => void;
  /** Tells the listeners that `shopUid` changed (call it after the transaction committed). */
  shopChanged(shopUid: string): void;
}

export function createShopEvents(): ShopEvents {
  const listeners = new Set<(shopUid: string) => void>();
  return {
    onShopChanged(fn) {
      listeners.add(fn);
      return () => void listeners.delete(fn);
    },
    shopChanged(shopUid) {
      for (const fn of listeners) fn(shopUid);
    },
  };
}
