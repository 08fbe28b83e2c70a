// Ablation "log-write": every log line is built as usual (redaction, the JSON text) and then dropped
// instead of going to stdout, so `log` minus `log-write` is what building the request line costs.
import * as real from '../../dist/src/http/logging.js?bench-real';
export * from '../../dist/src/http/logging.js?bench-real';

export function createLogger(options) {
  return real.createLogger({ ...options, destination: { write() {} } });
}
