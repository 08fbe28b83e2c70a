import { SetMetadata } from '@nestjs/common';

export const ACCEPTS_API_KEY_KEY = 'gatehouse:acceptsApiKey';
/** The one header an API key is read from. A key anywhere else (a query string above all) is ignored. */
export const API_KEY_HEADER = 'x-api-key';
/** The passport strategy name of API-key authentication (registered by ApiKeysModule). */
export const API_KEY_STRATEGY = 'api-key';

/**
 * The route (or every route of the controller) also accepts an `X-API-Key` instead of a bearer token.
 * Without it a route takes bearer tokens only: a key cannot manage sessions, passwords, 2FA or keys.
 */
export const AcceptsApiKey = () => SetMetadata(ACCEPTS_API_KEY_KEY, true);
