import type { User } from '../users/user.entity.js';

/** What every strategy (JWT, API key) produces, and the only thing guards and controllers look at. */
export interface Principal {
  user: User;
  via: 'jwt' | 'api_key';
  /** Effective scopes: what the credential carries, capped by the user's current permissions. */
  scopes: string[];
  sessionId?: string;
  /** The API key that authenticated the request (via 'api_key'). */
  apiKeyId?: string;
}
