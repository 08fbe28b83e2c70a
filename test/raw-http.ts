import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { newUserInput } from './factories.js';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: any;
}

/**
 * One HTTP/1.1 request with exactly the headers given (fetch will not send a chosen Host, and
 * normalises others): for Host, Origin and method checks.
 */
export function rawRequest(
  baseUrl: string,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string },
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers: options.headers,
        // Without a host header given, send none at all (HTTP/1.0 style), rather than Node's default.
        setHost: options.headers?.host !== undefined,
        agent: false,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let body: unknown = text;
          if (/json/.test(res.headers['content-type'] ?? '') && text) body = JSON.parse(text);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Sends a POST's head and the first half of its body, and collects whatever comes back. */
export function startSlowRegister(baseUrl: string) {
  const url = new URL(baseUrl);
  const body = JSON.stringify(newUserInput());
  const socket: Socket = connect(Number(url.port), url.hostname);
  let answer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (answer += chunk));
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(answer)));
  socket.on('error', () => undefined);
  const half = Math.floor(body.length / 2);
  const opened = new Promise<void>((resolve) => socket.once('connect', resolve)).then(() => {
    socket.write(
      `POST /auth/register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, half)}`,
    );
  });
  return { opened, finish: () => socket.write(body.slice(half)), closed };
}
