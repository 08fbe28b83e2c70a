import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { freePort } from './instance.js';

/** Debian's redis-server package (`.ci/run` installs it when missing). */
export const REDIS_SERVER = '/usr/bin/redis-server';

export interface ThrowawayRedis {
  url: string;
  stop(): Promise<void>;
}

export const redisAvailable = () => existsSync(REDIS_SERVER);

/**
 * True once the redis-server on `port` is the process `pid`. A port found free beforehand can be taken
 * by another test's server before this one binds it (this one then exits): answering is not enough.
 */
function servedBy(port: number, pid: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.setTimeout(2_000, () => socket.destroy());
    socket.once('connect', () => socket.write('INFO server\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      const match = /process_id:(\d+)/.exec(reply);
      if (match) {
        socket.end();
        resolve(Number(match[1]) === pid);
      }
    });
    socket.once('close', () => resolve(false));
    socket.once('error', () => resolve(false));
  });
}

/** A redis-server of the test's own, on a free loopback port, keeping nothing on disk. */
export async function startRedis(): Promise<ThrowawayRedis> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 30_000;
  while (!(await servedBy(port, child.pid!))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('redis-server did not start');
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
