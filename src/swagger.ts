import type { INestApplication } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { AccessPolicy } from './access/authorization.guard.js';
import { RECENT_AUTHENTICATION_SECONDS } from './access/recent-authentication.js';
import { routePolicies } from './access/route-policies.js';
import { APP_NAME, APP_VERSION } from './config/app.config.js';
import { PERMISSIONS } from './access/roles.js';
import { documentErrorResponses } from './swagger-responses.js';

export const OAUTH2_SCHEME = 'oauth2';
export const BEARER_SCHEME = 'bearer';
export const API_KEY_SCHEME = 'apiKey';
/** OAuth clients authenticating to /auth/token (client credentials) and /auth/introspect. */
export const CLIENT_BASIC_SCHEME = 'client_basic';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;
/** `@SkipThrottle()`'s metadata key (THROTTLER_SKIP, not exported by the package) plus the throttler name. */
const SKIP_DEFAULT_THROTTLE = 'THROTTLER:SKIPdefault';

type Handler = [Function, new (...args: never[]) => object];

/** Each operation's handler and controller, by the operationId Swagger gives it. */
function operationHandlers(app: INestApplication): Map<string, Handler> {
  const scanner = app.get(MetadataScanner);
  const handlers = new Map<string, Handler>();
  for (const wrapper of app.get(DiscoveryService).getControllers()) {
    const controller = wrapper.metatype as (new (...args: never[]) => object) | null;
    if (!controller) continue;
    for (const method of scanner.getAllMethodNames(controller.prototype)) {
      const handler = (controller.prototype as Record<string, Function>)[method];
      handlers.set(`${controller.name}_${method}`, [handler, controller]);
    }
  }
  return handlers;
}

/**
 * Writes each operation's security from the same metadata the guards read (`routePolicies`), so the
 * document cannot drift from what is enforced: public operations get none; the others list the OAuth2
 * scopes they need (and accept a plain bearer token), plus the `apiKey` scheme where an `X-API-Key` is
 * accepted; `x-required-role` names their minimum role and `x-requires-recent-authentication` marks
 * the account-security operations.
 */
function documentAccessPolicies(app: INestApplication, document: OpenAPIObject): void {
  const policies = new Map<string, AccessPolicy>(
    routePolicies(app).map((route) => [`${route.controller}_${route.handler}`, route.policy]),
  );
  for (const pathItem of Object.values(document.paths)) {
    for (const verb of HTTP_METHODS) {
      const operation = pathItem[verb];
      if (!operation?.operationId) continue;
      const policy = policies.get(operation.operationId);
      if (!policy) throw new Error(`No access policy found for operation ${operation.operationId}`);
      if (policy.isPublic) {
        // Public to users' credentials; what the operation says itself stays: client authentication.
        const client = (operation.security ?? []).filter(
          (requirement) => CLIENT_BASIC_SCHEME in requirement,
        );
        if (client.length > 0) operation.security = client;
        else delete operation.security;
        continue;
      }
      operation.security = [{ [OAUTH2_SCHEME]: policy.scopes }, { [BEARER_SCHEME]: [] }];
      if (policy.acceptsApiKey) operation.security.push({ [API_KEY_SCHEME]: [] });
      if (policy.minimumRole) Object.assign(operation, { 'x-required-role': policy.minimumRole });
      // OAuth clients' bearer tokens (client credentials grant) are accepted here too.
      if (policy.acceptsClients) Object.assign(operation, { 'x-accepts-clients': true });
      if (policy.requiresRecentAuth) {
        Object.assign(operation, { 'x-requires-recent-authentication': true });
      }
      operation.responses['401'] ??= {
        description: policy.requiresRecentAuth
          ? `Missing, invalid or expired credentials, or a login older than ${RECENT_AUTHENTICATION_SECONDS / 60} minutes: RECENT_AUTHENTICATION_REQUIRED (problem details)`
          : 'Missing, invalid or expired credentials (problem details)',
      };
      if (policy.minimumRole || policy.scopes.length > 0 || policy.requiresRecentAuth) {
        operation.responses['403'] ??= { description: 'Role or scope missing (problem details)' };
      }
    }
  }
}

/** The OpenAPI document: every route Nest serves, with the access policies the guards enforce. */
function openApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(APP_NAME)
    .setDescription(
      'Authentication and authorization: OAuth2 password flow, rotating refresh tokens, roles and scopes.',
    )
    .setVersion(APP_VERSION)
    .addOAuth2(
      {
        type: 'oauth2',
        flows: {
          password: {
            tokenUrl: '/auth/token',
            refreshUrl: '/auth/token',
            scopes: Object.fromEntries(PERMISSIONS.map((permission) => [permission, permission])),
          },
        },
      },
      OAUTH2_SCHEME,
    )
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER_SCHEME)
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'X-API-Key',
        description:
          'An API key from POST /api-keys, on the operations that list this scheme; its scopes are capped by its owner’s permissions. Never in a query string.',
      },
      API_KEY_SCHEME,
    )
    .addBasicAuth(
      {
        type: 'http',
        scheme: 'basic',
        description:
          'OAuth client authentication (client_secret_basic): `client_id:client_secret`, for the client credentials grant at /auth/token and for /auth/introspect. `client_id` and `client_secret` form fields (client_secret_post) work too.',
      },
      CLIENT_BASIC_SCHEME,
    )
    .build();
  const document = SwaggerModule.createDocument(app, config);
  documentAccessPolicies(app, document);
  const reflector = app.get(Reflector);
  const handlers = operationHandlers(app);
  // Every route counts towards the general per-client limit unless it says @SkipThrottle().
  documentErrorResponses(document, (operation) => {
    const handler = operation.operationId ? handlers.get(operation.operationId) : undefined;
    return (
      !handler || reflector.getAllAndOverride<boolean>(SKIP_DEFAULT_THROTTLE, handler) !== true
    );
  });
  return document;
}

/**
 * Swagger UI at /docs, the OpenAPI document at /docs-json. Authorize runs the password flow. The
 * document is built on its first request (then kept): building it at start-up took 50-100 ms of every
 * start, for a page most instances never serve.
 */
export function setUpSwagger(app: INestApplication): void {
  // Swagger keeps the document once built, but not a failure: remember that too, so a broken build
  // (a route without an access policy) costs one attempt, not one per request to these open routes.
  let failure: unknown;
  const document = () => {
    if (failure !== undefined) throw failure;
    try {
      return openApiDocument(app);
    } catch (error) {
      failure = error ?? new Error('the OpenAPI document could not be built');
      throw failure;
    }
  };
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    yamlDocumentUrl: 'docs-yaml',
    swaggerOptions: { persistAuthorization: false },
  });
}
