// Module hooks for bench/ablate.mjs (bench only): an import of one of the app's compiled modules is
// answered by a stub instead. The stub reaches the real module under `?bench-real`, which is never
// redirected.
let redirects = new Map();

export function initialize(data) {
  redirects = new Map(Object.entries(data.redirects));
}

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (resolved.url.includes('?bench-real')) return resolved;
  const stub = redirects.get(resolved.url);
  return stub ? { url: stub, shortCircuit: true } : resolved;
}
