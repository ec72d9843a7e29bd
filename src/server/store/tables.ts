// Kysely table types of the store-connection tables. Times are epoch milliseconds stored as
// `double precision` (exact up to 2^53, and a plain JS number from both SQLite and pg).
import type { Generated } from 'kysely';

export interface StoreConnectionTable {
  id: string;
  shop_uid: string;
  org_uid: string | null;
  platform: string;
  seller_id: string | null;
  seller_name: string | null;
  /** `PLATFORM:sellerId` while this connection holds the seller (AUTHORIZED / NEEDS_REAUTH); unique. */
  seller_key: string | null;
  auth_type: string;
  status: string;
  /** Vault ciphertexts (never plaintext). */
  access_token_enc: string | null;
  refresh_token_enc: string | null;
  credentials_enc: string | null;
  /** HMAC fingerprint of the KEY authInfo (platform-scoped) while held; unique. */
  auth_fingerprint: string | null;
  scope: string | null;
  expires_at: number | null;
  refresh_expires_at: number | null;
  last_refresh_at: number | null;
  last_error: string | null;
  fail_count: Generated<number>;
  next_attempt_at: number | null;
  /** Compare-and-swap counter: bumped by every write of the token pair or the status. */
  version: Generated<number>;
  lease_until: number | null;
  lease_owner: string | null;
  created_at: number;
  updated_at: number;
}

export interface StoreAuthStateTable {
  nonce: string;
  connection_id: string;
  shop_uid: string;
  platform: string;
  seller_id: string | null;
  redirect_url: string | null;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
}

/** A webhook still to send (migration 005_webhook_outbox); deleted once delivered. */
export interface WebhookOutboxTable {
  /** The delivery id, sent as X-Shop-Chat-Delivery-Id: the same on every attempt of this row. */
  id: string;
  event_id: string;
  /** The JSON body, fixed at enqueue: every attempt sends (and signs) the same bytes. */
  body: string;
  attempts: Generated<number>;
  /** When the next attempt is due; NULL once the sender gave up. */
  next_attempt_at: number | null;
  /** The sender holding the row while it sends it, and until when. */
  lease_until: number | null;
  lease_owner: string | null;
  /** Why the last attempt failed (an HTTP status or an error name, never a secret). */
  last_error: string | null;
  created_at: number;
}

export interface StoreTables {
  store_connection: StoreConnectionTable;
  store_auth_state: StoreAuthStateTable;
  webhook_outbox: WebhookOutboxTable;
}
