// Ablation "request-id" (second half): no X-Process-Time header.
export * from '../../dist/src/http/process-time.js?bench-real';
export const PROCESS_TIME_HEADER = 'X-Bench-Unused';
export function stampProcessTime() {}
export function secondsSince() {
  return '0';
}
