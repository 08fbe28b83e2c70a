import type { ServerResponse } from 'node:http';

const PROBLEM_CODE = Symbol('gatehouse.problemCode');
type Answered = ServerResponse & { [PROBLEM_CODE]?: string };

/**
 * Why a request failed, kept on the raw response for its log line: the problem `code` (or the OAuth2
 * `error`) the client was sent. Codes are fixed identifiers, never a secret or a value the client sent.
 */
export function recordProblemCode(res: ServerResponse, code: string): void {
  (res as Answered)[PROBLEM_CODE] = code;
}

export function problemCodeOf(res: ServerResponse): string | undefined {
  return (res as Answered)[PROBLEM_CODE];
}
