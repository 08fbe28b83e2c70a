import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { BEARER_SCHEME, OAUTH2_SCHEME } from './common/decorators/authenticated.decorator.js';
import { APP_NAME, APP_VERSION } from './config/app.config.js';
import { PERMISSIONS } from './users/roles.js';

/** Swagger UI at /docs, the OpenAPI document at /docs-json. Authorize runs the password flow. */
export function setUpSwagger(app: INestApplication): void {
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
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    yamlDocumentUrl: 'docs-yaml',
    swaggerOptions: { persistAuthorization: false },
  });
}
