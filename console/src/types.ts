/** Response shapes of the admin API the console reads (snake_case, as on the wire). */

export interface User {
  id: string;
  email: string;
  username: string;
  full_name: string | null;
  roles: string[];
  permissions: string[];
  is_active: boolean;
  two_factor_enabled: boolean;
  created_at: string;
  email_verified?: boolean;
  locked_until?: string | null;
  failed_login_count?: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  limit: number;
}

export interface ApiKey {
  id: string;
  user_id: string;
  name: string;
  prefix: string;
  scopes: string[];
  expires_at: string | null;
  created_at: string;
  last_used_at?: string | null;
  revoked_at: string | null;
}

export interface SecurityEvent {
  id: string;
  seq: number;
  type: string;
  user_id: string | null;
  actor_id: string | null;
  ip: string | null;
  user_agent: string | null;
  details: Record<string, unknown>;
  created_at: string;
}

export interface ChainReport {
  valid: boolean;
  checked: number;
  problems: { seq: string | null; id: string | null; problem: string }[];
}

export interface OAuthClient {
  client_id: string;
  name: string;
  scopes: string[];
  created_at: string;
}

export interface SigningKey {
  kid: string;
  alg: string;
  state?: string;
  status?: string;
  created_at?: string;
  [field: string]: unknown;
}

/** The role ladder, lowest first (shared/API.md). */
export const ROLES = ['viewer', 'user', 'editor', 'moderator', 'admin'] as const;

/** The server's own list of event types; the audit filter also accepts any other. */
export { SECURITY_EVENT_TYPES as EVENT_TYPES } from '../../src/audit/security-event-types.js';
