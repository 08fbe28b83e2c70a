import { rmSync } from 'node:fs';

export default async function globalTeardown() {
  const running = globalThis.__GATEHOUSE_PG__;
  if (!running) return;
  await running.postgres.stop();
  rmSync(running.root, { recursive: true, force: true });
}
