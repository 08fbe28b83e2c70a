// Ablation "cors-host": no Host, HTTPS, CORS, method or media-type check.
export * from '../../dist/src/http/request-policy.js?bench-real';
const ALLOW = Object.freeze({ headers: Object.freeze({}) });
export function checkRequest() {
  return ALLOW;
}
