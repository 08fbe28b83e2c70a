// Ablation "request-id": one fixed id, no X-Request-Id header (and, with process-time.mjs, no
// X-Process-Time header).
export * from '../../dist/src/http/request-id.js?bench-real';
export const REQUEST_ID_HEADER = 'X-Bench-Unused';
export function requestIdOf() {
  return 'bench';
}
