import { useCallback, useEffect, useState } from 'preact/hooks';

/**
 * Loads something from the API when a dependency changes, and again on `reload()`. An answer that
 * arrives after a newer request started is dropped, so a slow page never overwrites a fast one.
 */
export function useResource<T>(load: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [generation, setGeneration] = useState(0);
  const stableLoad = useCallback(load, deps);

  useEffect(() => {
    let current = true;
    stableLoad().then(
      (value) => current && (setData(value), setError(null)),
      (failure: unknown) => current && setError(failure),
    );
    return () => {
      current = false;
    };
  }, [stableLoad, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { data, error, setError, reload };
}
