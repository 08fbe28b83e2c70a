/**
 * The console's client of Gatehouse's public API, on the same origin. Tokens live in this module's
 * memory only (never localStorage or cookies): a reload or a closed tab signs the operator out.
 * Refresh rotation is single-flight, because two parallel refreshes with one refresh token would be
 * seen by the server as reuse and end the session.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly code: string | undefined,
    readonly body: unknown,
  ) {
    super(detail);
  }
}

interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  expires_in: number;
  scope: string;
}

export type SignInResult =
  | { kind: 'signed_in' }
  | { kind: 'mfa_required'; mfaToken: string }
  | { kind: 'refused'; message: string };

/** Minutes without a key press, click or touch before the console signs the operator out. */
export const IDLE_MINUTES = 15;

let accessToken: string | null = null;
let refreshToken: string | null = null;
let refreshing: Promise<boolean> | null = null;
let idleTimer: number | undefined;
let signedOutListener: (reason: string) => void = () => undefined;

export function onSignedOut(listener: (reason: string) => void): void {
  signedOutListener = listener;
}

export function isSignedIn(): boolean {
  return accessToken !== null;
}

function keep(tokens: TokenResponse): void {
  accessToken = tokens.access_token;
  refreshToken = tokens.refresh_token ?? null;
  startIdleTimer();
}

function forget(reason: string): void {
  const wasSignedIn = accessToken !== null;
  accessToken = null;
  refreshToken = null;
  window.clearTimeout(idleTimer);
  if (wasSignedIn) signedOutListener(reason);
}

function startIdleTimer(): void {
  window.clearTimeout(idleTimer);
  idleTimer = window.setTimeout(() => {
    void signOut(`You were signed out after ${IDLE_MINUTES} minutes without activity.`);
  }, IDLE_MINUTES * 60_000);
}

for (const event of ['keydown', 'pointerdown', 'touchstart'] as const) {
  window.addEventListener(event, () => {
    if (accessToken) startIdleTimer();
  });
}

/** The human sentence of an error body: problem details' `detail`, or OAuth's `error_description`. */
function messageOf(status: number, body: unknown): { detail: string; code?: string } {
  if (body && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    const detail = record.detail ?? record.error_description ?? record.title ?? record.error;
    const code = (record.code ?? record.error) as string | undefined;
    if (typeof detail === 'string' && detail) return { detail, code };
  }
  return { detail: `The server answered ${status}.` };
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function post(path: string, body: URLSearchParams | object): Promise<Response> {
  const form = body instanceof URLSearchParams;
  return fetch(path, {
    method: 'POST',
    headers: { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' },
    body: form ? body.toString() : JSON.stringify(body),
    credentials: 'omit',
  });
}

async function signInWith(response: Response): Promise<SignInResult> {
  const body = await readBody(response);
  if (response.ok) {
    keep(body as TokenResponse);
    return { kind: 'signed_in' };
  }
  const record = (body ?? {}) as Record<string, unknown>;
  if (record.error === 'mfa_required' && typeof record.mfa_token === 'string') {
    return { kind: 'mfa_required', mfaToken: record.mfa_token };
  }
  if (record.error === 'mfa_enrollment_required') {
    return {
      kind: 'refused',
      message:
        'Your role requires two-factor authentication and this account has not enrolled yet. ' +
        'Set up an authenticator app through the API (/auth/2fa/setup and /auth/2fa/enable), then sign in here again.',
    };
  }
  return { kind: 'refused', message: messageOf(response.status, body).detail };
}

export async function signIn(username: string, password: string): Promise<SignInResult> {
  const form = new URLSearchParams({ grant_type: 'password', username, password });
  return signInWith(await post('/auth/token', form));
}

export async function verifySecondFactor(
  mfaToken: string,
  code: string,
  kind: 'code' | 'recovery_code',
): Promise<SignInResult> {
  return signInWith(await post('/auth/2fa/verify', { mfa_token: mfaToken, [kind]: code }));
}

async function refresh(): Promise<boolean> {
  const token = refreshToken;
  if (!token) return false;
  const response = await post('/auth/refresh', { refresh_token: token });
  if (!response.ok) return false;
  keep((await readBody(response)) as TokenResponse);
  return true;
}

function refreshOnce(): Promise<boolean> {
  refreshing ??= refresh().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/** Logout revokes the session on the server (its refresh token too), then forgets the tokens. */
export async function signOut(reason = 'You signed out.'): Promise<void> {
  const token = accessToken;
  if (token) {
    await fetch('/auth/logout', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      credentials: 'omit',
    }).catch(() => undefined);
  }
  forget(reason);
}

/** A call to the API with the operator's bearer token; refused calls throw ApiError with `detail`. */
export async function api<T>(method: string, path: string, body?: object): Promise<T> {
  const send = () =>
    fetch(path, {
      method,
      headers: {
        authorization: `Bearer ${accessToken ?? ''}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
      credentials: 'omit',
    });
  if (!accessToken) throw new ApiError(401, 'You are not signed in.', 'UNAUTHENTICATED', null);
  let response = await send();
  if (response.status === 401 && (await refreshOnce())) response = await send();
  const result = await readBody(response);
  if (response.status === 401) {
    forget('Your session ended. Sign in again.');
  }
  if (!response.ok) {
    const { detail, code } = messageOf(response.status, result);
    throw new ApiError(response.status, detail, code, result);
  }
  return result as T;
}

export function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
