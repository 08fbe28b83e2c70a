// Ablation "request-id" (second half): no X-Process-Time header.
export * from '../../dist/src/http/process-time.js?bench-real';
export function stampProcessTime() {}
