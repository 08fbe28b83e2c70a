import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { HeaderAPIKeyStrategy } from 'passport-headerapikey';
import { API_KEY_HEADER, API_KEY_STRATEGY } from '../access/api-key.decorator.js';
import type { Principal } from '../access/principal.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { ApiKeysService } from './api-keys.service.js';
import { validateAtOnce } from '../auth/run-strategy.js';

/**
 * `X-API-Key: <key>` through passport-headerapikey: the header only (a key in a query string or body
 * is never looked at), no scheme prefix. Yields the same Principal as a JWT, with `via: 'api_key'`.
 */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(HeaderAPIKeyStrategy, API_KEY_STRATEGY) {
  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly metrics: MetricsService,
  ) {
    super({ header: API_KEY_HEADER, prefix: '' }, false);
    validateAtOnce(this, 'verify');
  }

  /** A value when memory could answer (the usual request), a promise when the database must. */
  validate(candidate: unknown): Principal | false | Promise<Principal | false> {
    if (typeof candidate !== 'string') return false;
    const answer = this.apiKeys.authenticate(candidate);
    return answer instanceof Promise
      ? answer.then((principal) => this.used(principal))
      : this.used(answer);
  }

  private used(principal: Principal | null): Principal | false {
    if (!principal) return false;
    this.metrics.apiKeyUsed();
    return principal;
  }
}
