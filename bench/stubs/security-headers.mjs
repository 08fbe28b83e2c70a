// Ablation "helmet": no security headers.
export * from '../../dist/src/http/security-headers.js?bench-real';
export function securityHeaders() {
  return { values: {}, removed: [] };
}
export function setSecurityHeaders() {}
