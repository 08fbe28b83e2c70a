import { NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { AppError } from './app-error.js';
import { toErrorResponse } from './error-response.js';
import { OAuth2Error } from './oauth2-error.js';

describe('toErrorResponse', () => {
  it('renders an AppError as problem details with its code and the 401 challenge', () => {
    const response = toErrorResponse(new AppError('INVALID_TOKEN'));
    expect(response.status).toBe(401);
    expect(response.headers).toMatchObject({
      'Content-Type': 'application/problem+json',
      'WWW-Authenticate': 'Bearer realm="gatehouse", error="invalid_token"',
    });
    expect(response.body).toEqual({
      type: 'urn:gatehouse:problem:invalid-token',
      title: 'Unauthorized',
      status: 401,
      detail: 'The access token is invalid or expired.',
      code: 'INVALID_TOKEN',
    });
  });

  it('renders an OAuth2Error in the RFC 6749 shape, uncacheable', () => {
    expect(toErrorResponse(new OAuth2Error('invalid_grant', 'nope'))).toMatchObject({
      status: 400,
      headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache' },
      body: { error: 'invalid_grant', error_description: 'nope' },
    });
  });

  it('maps framework and parser errors by status without echoing their messages', () => {
    expect(
      toErrorResponse(new NotFoundException('Cannot GET /secret?token=abc')).body,
    ).toMatchObject({
      code: 'NOT_FOUND',
      detail: 'Not found.',
    });
    expect(toErrorResponse(new PayloadTooLargeException()).status).toBe(413);
    const parserError = Object.assign(new Error('Unexpected token } in JSON at position 12'), {
      statusCode: 400,
    });
    expect(toErrorResponse(parserError).body).toMatchObject({ code: 'MALFORMED_REQUEST' });
    expect(JSON.stringify(toErrorResponse(parserError).body)).not.toContain('position');
  });

  it('turns a database error caused by client data into a 400, and anything else into a bare 500', () => {
    const nul = new QueryFailedError(
      'INSERT ...',
      [],
      Object.assign(new Error('invalid byte sequence'), { code: '22021' }),
    );
    expect(toErrorResponse(nul)).toMatchObject({ status: 400, unexpected: false });
    const other = new QueryFailedError(
      'SELECT secret FROM x',
      [],
      Object.assign(new Error('boom'), { code: '42P01' }),
    );
    const response = toErrorResponse(other);
    expect(response).toMatchObject({ status: 500, unexpected: true });
    expect(JSON.stringify(response.body)).not.toMatch(/SELECT|boom/);
    expect(toErrorResponse(new TypeError('x is undefined'))).toMatchObject({
      status: 500,
      body: { code: 'INTERNAL_ERROR' },
    });
  });

  it.each([
    ['a deadlock', '40P01'],
    ['a serialization failure', '40001'],
    ['a lock not available', '55P03'],
  ])('answers %s with 503 and Retry-After, and logs it', (_, code) => {
    const conflict = new QueryFailedError(
      'UPDATE sessions SET revoked_at = now() WHERE user_id = $1',
      ['a-user-id'],
      Object.assign(new Error('deadlock detected'), { code }),
    );
    const response = toErrorResponse(conflict);
    expect(response).toMatchObject({
      status: 503,
      headers: { 'Retry-After': '1', 'Content-Type': 'application/problem+json' },
      body: { status: 503, code: 'SERVICE_UNAVAILABLE' },
      unexpected: true,
    });
    expect(JSON.stringify(response.body)).not.toMatch(/UPDATE|deadlock|a-user-id/);
  });
});
