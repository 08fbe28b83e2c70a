/** RFC 6749 §5.2 error codes, answered by the token endpoints in the OAuth2 shape rather than problem details. */
export type OAuth2ErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  /** RFC 7009 §2.2.1: revocation of this kind of token is not supported (client-credentials tokens). */
  | 'unsupported_token_type'
  /** Gatehouse's two-factor login step (403, with an `mfa_token`); see docs/two-factor.md. */
  | 'mfa_required'
  /** A role that needs two-factor, not enrolled yet (403, with a restricted `enrollment_token`). */
  | 'mfa_enrollment_required'
  /** REQUIRE_EMAIL_VERIFICATION and an unverified address (403); see docs/email.md. */
  | 'email_not_verified';

export class OAuth2Error extends Error {
  constructor(
    readonly error: OAuth2ErrorCode,
    readonly description: string,
    readonly status = error === 'invalid_client' ? 401 : 400,
    /** More members of the error body (the `mfa_token` of `mfa_required`). */
    readonly extra: Record<string, string | number> = {},
  ) {
    super(description);
    this.name = 'OAuth2Error';
  }
}
