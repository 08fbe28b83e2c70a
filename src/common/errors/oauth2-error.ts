/** RFC 6749 §5.2 error codes, answered by the token endpoints in the OAuth2 shape rather than problem details. */
export type OAuth2ErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope';

export class OAuth2Error extends Error {
  constructor(
    readonly error: OAuth2ErrorCode,
    readonly description: string,
    readonly status = error === 'invalid_client' ? 401 : 400,
  ) {
    super(description);
    this.name = 'OAuth2Error';
  }
}
