// Ablation "context": no AsyncLocalStorage around the request (the audit log then records no client).
export function runWithRequestClient(_client, next) {
  return next();
}
export function currentRequestClient() {
  return undefined;
}
