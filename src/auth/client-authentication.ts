import { OAuth2Error } from '../common/errors/oauth2-error.js';
import { param } from './dto/token-request.js';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

const INVALID_CLIENT = 'Client authentication failed.';

function basicCredentials(header: string): ClientCredentials {
  const match = /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(header);
  const decoded = match ? Buffer.from(match[1], 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw new OAuth2Error('invalid_client', INVALID_CLIENT);
  try {
    // RFC 6749 §2.3.1: both are form-urlencoded before they are joined.
    const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
    return {
      clientId: decode(decoded.slice(0, colon)),
      clientSecret: decode(decoded.slice(colon + 1)),
    };
  } catch {
    throw new OAuth2Error('invalid_client', INVALID_CLIENT);
  }
}

/**
 * The client's id and secret from HTTP Basic (`client_secret_basic`) or the form fields
 * `client_id` + `client_secret` (`client_secret_post`). Neither, or both at once (RFC 6749 §2.3: one
 * method per request), is `invalid_client` (401 with `WWW-Authenticate: Basic`).
 */
export function readClientCredentials(
  headers: Record<string, unknown>,
  form: Record<string, unknown>,
): ClientCredentials {
  const authorization = headers.authorization;
  const posted = form.client_id !== undefined || form.client_secret !== undefined;
  if (typeof authorization === 'string' && /^Basic /i.test(authorization)) {
    if (posted) {
      throw new OAuth2Error('invalid_request', 'Use one client authentication method, not two.');
    }
    return basicCredentials(authorization);
  }
  if (!posted) throw new OAuth2Error('invalid_client', INVALID_CLIENT);
  const clientId = param(form, 'client_id', false);
  const clientSecret = param(form, 'client_secret', false);
  if (!clientId || !clientSecret) throw new OAuth2Error('invalid_client', INVALID_CLIENT);
  return { clientId, clientSecret };
}
