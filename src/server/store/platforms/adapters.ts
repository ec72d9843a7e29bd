import type { StorePlatform } from '../../../shared/store/api.ts';
import type { StoreConfig } from '../config.ts';
import { createFkwAdapter } from './fkw.ts';
import type { AdapterOptions, PlatformAdapter } from './platform.ts';
import { createShoplazzaAdapter } from './shoplazza.ts';
import { createYouzanAdapter } from './youzan.ts';

export type Adapters = Record<StorePlatform, PlatformAdapter>;

export function createAdapters(config: StoreConfig, opts?: Partial<AdapterOptions>): Adapters {
  const o: AdapterOptions = { timeoutMs: config.SHOP_CHAT_UPSTREAM_TIMEOUT_MS, ...opts };
  return {
    SHOPLAZZA: createShoplazzaAdapter(config, o),
    YOUZAN: createYouzanAdapter(config, o),
    FKW: createFkwAdapter(config, o),
  };
}
