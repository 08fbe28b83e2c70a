import { hash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => hash('sha256', value, 'buffer');

/** Whether an Authorization header carries `Bearer <token>`, compared in constant time. */
export function hasMetricsToken(authorization: unknown, token: string): boolean {
  if (typeof authorization !== 'string') return false;
  const match = /^Bearer ([^\s]+)$/i.exec(authorization.trim());
  return match !== null && timingSafeEqual(digest(match[1]), digest(token));
}

export const METRICS_REALM = 'Bearer realm="gatehouse-metrics"';
