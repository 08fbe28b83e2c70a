// Ablation "metrics": no request-duration histogram.
export * from '../../dist/src/metrics/http-metrics.js?bench-real';
export function installHttpMetrics() {}
