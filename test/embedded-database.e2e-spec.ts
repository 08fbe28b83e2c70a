import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedDatabase } from '../src/database/embedded-database.js';
import { tempDir } from './temp-dirs.js';

describe('embedded database', () => {
  // The bench runs every app target of an interleaved run on one throwaway cluster: fifteen pools of
  // ten with the full ablation, past PostgreSQL's default of 100 connections.
  it('starts with the max_connections it is given', async () => {
    const directory = join(tempDir('gatehouse-embedded-'), 'pg');
    const cluster = await startEmbeddedDatabase({
      directory,
      throwaway: true,
      maxConnections: 240,
    });
    const client = new pg.Client({ connectionString: cluster.url });
    try {
      await client.connect();
      const { rows } = await client.query<{ max_connections: string }>('SHOW max_connections');
      expect(rows[0].max_connections).toBe('240');
    } finally {
      await client.end();
      await cluster.stop();
    }
  }, 60_000);
});
