/**
 * Every kind of security event. Other modules record theirs through SecurityEventsService.record();
 * a new kind is added here (the audit API filters and validates against this list). A module of its
 * own, with no imports, so the admin console (console/, built for the browser) reads the same list.
 */
export const SECURITY_EVENT_TYPES = [
  'login.succeeded',
  'login.failed',
  'account.locked',
  'account.unlocked',
  'token.refreshed',
  'refresh_token.reused',
  '2fa.enabled',
  '2fa.disabled',
  '2fa.reset',
  'rate_limit.exceeded',
  'audit.pruned',
  '2fa.recovery_code_used',
  'logout',
  'session.revoked',
  'sessions.revoked',
  'password.changed',
  'password.change_failed',
  'user.roles_changed',
  'user.permissions_changed',
  'user.status_changed',
  'user.deleted',
  'user.created',
  'api_key.created',
  'api_key.revoked',
  'password.reset_requested',
  'password.reset',
  'email.verification_requested',
  'email.verified',
  'email.change_requested',
  'email.changed',
  'mail.failed',
  'signing_key.rotated',
  'oauth_client.created',
  'oauth_client.deleted',
] as const;
export type SecurityEventType = (typeof SECURITY_EVENT_TYPES)[number];
