import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { Api } from './http.js';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Instance {
  api: Api;
  pid: number;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** The port the instance's log says it listens on: PORT=0 lets the kernel pick one no other test holds. */
function listeningPort(child: ChildProcess, stderr: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`instance did not say where it listens: ${stderr()}`));
    }, 120_000);
    const onData = (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /Listening on http:\/\/[^\s"]+:(\d+)/.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      // Keep reading, so a full pipe never holds the instance's log.
      child.stdout?.off('data', onData).resume();
      resolve(Number(match[1]));
    };
    const onExit = () => {
      clearTimeout(timer);
      reject(new Error(`instance exited: ${stderr()}`));
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

/**
 * Another instance of the API in a process of its own (the built `dist/src/main.js`, which `npm test`
 * builds first), on the same database and secrets: what a second replica in production is. In-process
 * apps would share passport's global strategy registry, so they would not be independent.
 *
 * It listens on a port the kernel picks and reports in its log. A port found free beforehand could be
 * taken by another test's server before this one binds it; this one would then exit while its health
 * check was answered by the other server, and the test would talk to the wrong instance.
 */
export async function startInstance(
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<Instance> {
  const child: ChildProcess = spawn(process.execPath, ['dist/src/main.js'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      PORT: '0',
      NODE_ENV: 'test',
      // The "Listening on" line is at info; a level left in process.env by another spec would hide it.
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await listeningPort(child, () => stderr);
  const api = new Api(`http://127.0.0.1:${port}`);
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`instance exited: ${stderr}`);
    const healthy = await api.get('/health').then(
      (r) => r.status === 200,
      () => false,
    );
    if (healthy) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`instance did not become healthy: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    api,
    pid: child.pid!,
    exited,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
