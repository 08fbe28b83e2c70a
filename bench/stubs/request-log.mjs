// Ablation "log": no request log line.
export * from '../../dist/src/http/request-log.js?bench-real';
export function logRequestDone() {}
