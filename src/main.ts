// First import: it must run before any module of NestJS loads (src/defer-date-time-formats.ts).
import { restoreDateTimeFormat } from './defer-date-time-formats.js';
import 'reflect-metadata';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { importHttpWithoutUndici } from './common/http-without-undici.js';
import { applyServingHeapSettings, collectStartupGarbageWhenIdle } from './common/serving-heap.js';
import { lowerThreadPoolPriority } from './common/thread-pool-priority.js';
import { parseAppConfig } from './config/app.config.js';
import { loadEnvFile } from './config/env-file.js';
import { HTTP_ADAPTERS, type HttpAdapterName, parseHttpConfig } from './config/http.config.js';
import { validateConfig } from './config/validate-config.js';

const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

async function bootstrap(): Promise<void> {
  // The original tutorial kept its settings in .env; variables already set win over the file.
  // Malformed lines are named with their line number, together with every other configuration problem.
  const envFileProblems = existsSync('.env') ? loadEnvFile('.env', process.env) : [];
  const adapter = (process.env.HTTP_ADAPTER ?? 'fastify') as HttpAdapterName;
  const adapterProblems = HTTP_ADAPTERS.includes(adapter)
    ? []
    : [`HTTP_ADAPTER must be one of ${HTTP_ADAPTERS.join(', ')}`];
  validateConfig(process.env, [...envFileProblems, ...adapterProblems]);
  // Only now the application itself is loaded (a few seconds on a busy machine): a configuration
  // problem is reported at once.
  await importHttpWithoutUndici();
  const [
    { Logger },
    { createApp },
    { provideDatabase },
    { drainHttpServer },
    { inFlightRequestsOf },
    { Readiness },
  ] = await Promise.all([
    import('@nestjs/common'),
    import('./app.factory.js'),
    import('./database/database-url.js'),
    import('./http/graceful-shutdown.js'),
    import('./http/http-hardening.js'),
    import('./health/readiness.js'),
  ]);
  restoreDateTimeFormat();
  const logger = new Logger('Gatehouse');
  const { host, port, trustedHosts, trustProxy } = parseAppConfig(process.env);
  const { shutdownTimeoutMs, shutdownGraceMs, threadPoolNiceness } = parseHttpConfig(process.env);

  const database = await provideDatabase();
  if (database.attached)
    logger.log('Using the embedded PostgreSQL another process of this checkout already runs');
  let app: Awaited<ReturnType<typeof createApp>> | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received, shutting down`);
    if (app) {
      // Readiness fails first; the listener serves on through the grace period (every response closing
      // its connection), then stops accepting, lets in-flight requests finish (bounded), then the pool
      // and the rest close.
      app.get(Readiness).startStopping();
      const cut = await drainHttpServer(app, {
        graceMs: shutdownGraceMs,
        timeoutMs: shutdownTimeoutMs,
      });
      if (cut > 0)
        logger.warn(`${cut} request(s) still running after ${shutdownTimeoutMs} ms were cut off`);
      await app.close();
    }
    await database.stop();
    process.exit(0);
  };
  for (const signal of SHUTDOWN_SIGNALS) process.once(signal, (s) => void shutdown(s));

  try {
    app = await createApp({ adapter });
    await app.listen(port, host);
    applyServingHeapSettings();
    collectStartupGarbageWhenIdle(inFlightRequestsOf(app));
    // Once listening: start-up's module reads run on the pool too, and must not wait behind anything.
    // Not awaited: a pool thread busy with a long job answers the probe late, and nothing needs to wait.
    void lowerThreadPoolPriority(threadPoolNiceness).catch((error: unknown) =>
      logger.warn(`Could not lower the thread pool's priority: ${String(error)}`),
    );
  } catch (error) {
    await database.stop();
    throw error;
  }
  // The bound port, which PORT=0 leaves to the kernel.
  const address = app.getHttpServer().address() as AddressInfo | string | null;
  const boundPort = typeof address === 'object' && address !== null ? address.port : port;
  logger.log(`Listening on http://${host}:${boundPort} (${adapter}); docs at /docs`);
  logger.log(`Answering requests for Host ${trustedHosts.join(', ')} (TRUSTED_HOSTS)`);
  if (trustProxy === true) {
    logger.warn(
      'TRUST_PROXY=true believes X-Forwarded-For from anyone: if clients can reach this port directly, every per-client limit is spoofable. Prefer a hop count or the proxy addresses (docs/deployment.md).',
    );
  }
}

/** Configuration errors and a taken port are one clear line; anything else keeps its stack. */
function startFailure(error: unknown): unknown {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'ConfigError') return error.message;
  const { code, address, port } = error as NodeJS.ErrnoException & {
    address?: string;
    port?: number;
  };
  if (code === 'EADDRINUSE')
    return `${address}:${port} is already in use (another \`npm start\` of this checkout?); stop it or set PORT`;
  return error;
}

bootstrap().catch((error: unknown) => {
  console.error('Gatehouse failed to start:', startFailure(error));
  process.exit(1);
});
