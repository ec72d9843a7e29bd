// Kysely table types of upstream mode (migration 004_upstream). Times are epoch milliseconds in
// `double precision`, as in the store tables.
import type { Generated, Kysely } from 'kysely';
import type { OrgsTable } from '../../db/types.ts';

/** This server's credential at the upstream Bytedesk: one row, id `default`. */
export interface UpstreamCredentialTable {
  id: string;
  /** ACTIVE, or NEEDS_TOKEN once upstream refused it (a new one comes from `upstream set-token`). */
  status: string;
  /** Vault ciphertexts (never plaintext). */
  access_token_enc: string;
  refresh_token_enc: string | null;
  /** Null: no known expiry (a permanent token). */
  expires_at: number | null;
  last_refresh_at: number | null;
  last_error: string | null;
  /** Compare-and-swap counter: bumped by every write of the token pair or the status. */
  version: Generated<number>;
  lease_until: number | null;
  lease_owner: string | null;
  created_at: number;
  updated_at: number;
}

/** The mirror: what the widget config needs of every binding seen from upstream. */
export interface UpstreamBindingTable {
  shop_uid: string;
  org_uid: string;
  /** The shop's first enabled workgroup (the chat's `sid`), or null when it has none. */
  workgroup_uid: string | null;
  name: string;
  logo: string | null;
  enabled: number;
  /** When upstream last showed this binding. */
  seen_at: number;
  created_at: number;
  updated_at: number;
}

export interface UpstreamTables {
  upstream_credential: UpstreamCredentialTable;
  upstream_binding: UpstreamBindingTable;
}

/** With `orgs`: the mirror makes upstream's organisations known to our API tokens (a foreign key). */
export type UpstreamDb = Kysely<UpstreamTables & { orgs: OrgsTable }>;
/** The server's `Kysely<Database>` seen with the upstream tables (they are not in the core types). */
export const upstreamDb = (db: unknown): UpstreamDb => db as UpstreamDb;
