import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { createApp, HTTP_ADAPTERS, type HttpAdapterName } from './app.factory.js';
import { parseAppConfig } from './config/app.config.js';
import { parseHttpConfig } from './config/http.config.js';
import { validateConfig } from './config/validate-config.js';
import { provideDatabase } from './database/database-url.js';
import { Readiness } from './health/readiness.js';
import { drainHttpServer } from './http/graceful-shutdown.js';

const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

async function bootstrap(): Promise<void> {
  // The original tutorial kept its settings in .env; variables already set win over the file.
  if (existsSync('.env')) process.loadEnvFile('.env');
  const logger = new Logger('Gatehouse');
  const adapter = (process.env.HTTP_ADAPTER ?? 'fastify') as HttpAdapterName;
  if (!HTTP_ADAPTERS.includes(adapter))
    throw new Error(`HTTP_ADAPTER must be one of ${HTTP_ADAPTERS.join(', ')}`);
  validateConfig(process.env);
  const { host, port, trustedHosts } = parseAppConfig(process.env);
  const { shutdownTimeoutMs, shutdownGraceMs } = parseHttpConfig(process.env);

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
  } catch (error) {
    await database.stop();
    throw error;
  }
  logger.log(`Listening on http://${host}:${port} (${adapter}); docs at /docs`);
  logger.log(`Answering requests for Host ${trustedHosts.join(', ')} (TRUSTED_HOSTS)`);
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
