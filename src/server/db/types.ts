import type { StoreTables } from '../store/tables.ts';

// Kysely row types of the core tables. Instants are UTC ISO strings (see ../time.ts);
// booleans are integers 0/1 so the same rows work on SQLite and PostgreSQL.

export interface UsersTable {
  uid: string;
  mobile: string;
  country: string;
  current_org_uid: string | null;
  created_at: string;
  updated_at: string;
}

export interface OrgsTable {
  uid: string;
  name: string;
  vip_level: number;
  vip_expire_date: string | null;
  max_members: number | null;
  max_agents: number | null;
  max_workgroups: number | null;
  created_at: string;
  updated_at: string;
}

export interface ShopsTable {
  uid: string;
  shop_uid: string;
  org_uid: string;
  user_uid: string | null;
  name: string;
  logo: string | null;
  description: string | null;
  type: string;
  enabled: number;
  vip_level: number;
  vip_expire_date: string | null;
  created_at: string;
  updated_at: string;
}

export interface UserShopsTable {
  user_uid: string;
  shop_uid: string;
  created_at: string;
}

export interface AgentsTable {
  uid: string;
  org_uid: string;
  shop_uid: string;
  user_uid: string | null;
  nickname: string;
  enabled: number;
  created_at: string;
  updated_at: string;
}

export interface WorkgroupsTable {
  uid: string;
  org_uid: string;
  shop_uid: string;
  nickname: string;
  enabled: number;
  created_at: string;
  updated_at: string;
}

export interface SeatsTable {
  uid: string;
  org_uid: string;
  shop_uid: string;
  seat_no: string;
  source: 'BASE' | 'EXTRA';
  status: 'AVAILABLE' | 'ASSIGNED';
  base_seat: number;
  type: string;
  expire_at: string | null;
  assigned_agent_uid: string | null;
  assigned_member_uid: string | null;
  assigned_at: string | null;
  released_at: string | null;
  deleted_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ApiTokensTable {
  uid: string;
  kind: 'org' | 'admin';
  org_uid: string | null;
  user_uid: string | null;
  name: string;
  description: string | null;
  access_hash: string;
  access_hint: string;
  refresh_hash: string | null;
  refresh_hint: string | null;
  type: string | null;
  scope: string;
  expires_at: string | null;
  refresh_expires_at: string | null;
  permanent: number;
  revoked: number;
  revoke_reason: string | null;
  channel: string | null;
  device: string | null;
  deleted_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface CoreTables {
  users: UsersTable;
  orgs: OrgsTable;
  shops: ShopsTable;
  user_shops: UserShopsTable;
  agents: AgentsTable;
  workgroups: WorkgroupsTable;
  seats: SeatsTable;
  api_tokens: ApiTokensTable;
}

export interface Database extends CoreTables, StoreTables {}
