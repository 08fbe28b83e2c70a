import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { highestRole, isRole, type Role, roleRank } from './roles.js';
import {
  ALLOWS_MFA_ENROLLMENT_KEY,
  REQUIRES_RECENT_AUTH_KEY,
  ROLES_KEY,
  SCOPES_KEY,
} from './access.decorators.js';
import { ACCEPTS_API_KEY_KEY } from './api-key.decorator.js';
import { ACCEPTS_CLIENTS_KEY } from './client.decorator.js';
import { IS_PUBLIC_KEY } from './public.decorator.js';
import { AppError } from '../common/errors/app-error.js';
import { CredentialPolicy } from './credential-policy.js';
import type { AnyPrincipal, ClientPrincipal } from './principal.js';
import { assertRecentAuthentication } from './recent-authentication.js';

export interface AccessPolicy {
  isPublic: boolean;
  minimumRole?: Role;
  scopes: string[];
  /** An `X-API-Key` is accepted besides a bearer token. */
  acceptsApiKey: boolean;
  /** OAuth clients' tokens (client credentials) are accepted besides users' credentials. */
  acceptsClients: boolean;
  allowsMfaEnrollment: boolean;
  /** `@RequireRecentAuth()`: an account-security operation. */
  requiresRecentAuth: boolean;
}

/** What a handler declares, handler first, then class: the one reading that guards and docs share. */
export function readAccessPolicy(
  reflector: Reflector,
  targets: [Function, Function],
): AccessPolicy {
  return {
    isPublic: reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets) === true,
    minimumRole: reflector.getAllAndOverride<Role>(ROLES_KEY, targets),
    scopes: reflector.getAllAndOverride<string[]>(SCOPES_KEY, targets) ?? [],
    acceptsApiKey: reflector.getAllAndOverride<boolean>(ACCEPTS_API_KEY_KEY, targets) === true,
    acceptsClients: reflector.getAllAndOverride<boolean>(ACCEPTS_CLIENTS_KEY, targets) === true,
    allowsMfaEnrollment:
      reflector.getAllAndOverride<boolean>(ALLOWS_MFA_ENROLLMENT_KEY, targets) === true,
    requiresRecentAuth:
      reflector.getAllAndOverride<boolean>(REQUIRES_RECENT_AUTH_KEY, targets) === true,
  };
}

/** Policies by handler, then controller: decorators are fixed once the app is built. */
const policies = new WeakMap<Function, WeakMap<Function, Readonly<AccessPolicy>>>();

/**
 * `readAccessPolicy` for a request: the same reading, done once per route rather than fourteen
 * metadata lookups per request in each of the two guards. Frozen, so no guard can change it for the next.
 */
export function accessPolicyOf(
  reflector: Reflector,
  context: ExecutionContext,
): Readonly<AccessPolicy> {
  const handler = context.getHandler();
  const controller = context.getClass();
  let byController = policies.get(handler);
  if (!byController) policies.set(handler, (byController = new WeakMap()));
  let policy = byController.get(controller);
  if (!policy) {
    const read = readAccessPolicy(reflector, [handler, controller]);
    policy = Object.freeze({ ...read, scopes: Object.freeze([...read.scopes]) as string[] });
    byController.set(controller, policy);
  }
  return policy;
}

/**
 * Runs after authentication, on every principal whatever credential produced it. Applies the
 * credential policy (REQUIRE_2FA_ROLES), then `@Roles`, `@Scopes` and `@RequireRecentAuth`; denies
 * when anything is off: no principal on a non-public route, an unknown role in metadata, a user
 * without any known role.
 */
@Injectable()
export class AuthorizationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly credentials: CredentialPolicy,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const policy = accessPolicyOf(this.reflector, context);
    if (policy.isPublic) return true;
    const principal = context.switchToHttp().getRequest<{ user?: AnyPrincipal }>().user;
    if (principal?.via === 'client') return this.allowClient(policy, principal);
    if (!principal?.user) throw new AppError('UNAUTHENTICATED');
    if (this.credentials.restrictedToEnrolment(principal.user)) {
      // Whatever the credential (a token issued before the policy or the user's promotion, an API key).
      principal.restriction = 'mfa_enrollment';
      principal.scopes = [];
    }
    if (principal.restriction !== undefined && !policy.allowsMfaEnrollment) {
      throw new AppError(
        'TWO_FACTOR_ENROLLMENT_REQUIRED',
        principal.via === 'api_key'
          ? 'Your role requires two-factor authentication: sign in with your password and enrol; your API keys work again once you have.'
          : undefined,
      );
    }

    if (policy.minimumRole !== undefined) {
      const held = highestRole(principal.user.roles);
      if (
        !isRole(policy.minimumRole) ||
        held === undefined ||
        roleRank(held) < roleRank(policy.minimumRole)
      ) {
        throw new AppError('FORBIDDEN', `This needs the role ${policy.minimumRole} or above.`);
      }
    }
    requireScopes(policy, principal.scopes);
    if (policy.requiresRecentAuth) {
      assertRecentAuthentication(principal, Math.floor(Date.now() / 1000));
    }
    return true;
  }

  /** A client has no user and no role: only routes that accept clients, and only with their scopes. */
  private allowClient(policy: Readonly<AccessPolicy>, principal: ClientPrincipal): boolean {
    if (!policy.acceptsClients || policy.requiresRecentAuth) {
      throw new AppError('FORBIDDEN', 'OAuth client tokens are not accepted here.');
    }
    if (policy.minimumRole !== undefined) {
      throw new AppError('FORBIDDEN', `This needs the role ${policy.minimumRole} or above.`);
    }
    return requireScopes(policy, principal.scopes);
  }
}

function requireScopes(policy: Readonly<AccessPolicy>, held: readonly string[]): true {
  const missing = policy.scopes.filter((scope) => !held.includes(scope));
  if (missing.length > 0) {
    const needed = policy.scopes.join(' ');
    throw new AppError('INSUFFICIENT_SCOPE', `This needs the scope ${needed}.`, {
      headers: { 'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${needed}"` },
    });
  }
  return true;
}
