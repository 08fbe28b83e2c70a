import pg from 'pg';

/** The error reaches whoever holds the connection through their query, or pg-pool's handler when idle. */
const alreadyHandledElsewhere = () => undefined;

/**
 * node-postgres's Pool, with an 'error' listener on every connection for as long as it lives.
 *
 * pg-pool listens for a connection's errors only while it is idle, and TypeORM only while a query runner
 * holds it. TypeORM's own start-up queries (the server version, extensions) take a connection without a
 * listener; a server that goes away in that moment (an embedded PostgreSQL another process is stopping,
 * a failover) made the client emit 'error' with nobody listening, and Node ends the process on that.
 */
class ListenedPool extends pg.Pool {
  constructor(config?: pg.PoolConfig) {
    super(config);
    this.on('connect', (client) => client.on('error', alreadyHandledElsewhere));
  }
}

/**
 * What TypeORM is given as its `driver`: pg itself, with that Pool. `native` is hidden: TypeORM switches
 * to pg's native bindings whenever `pg-native` can be loaded, and they would bring the stock Pool back.
 */
export const pgDriver: typeof pg = Object.create(pg, {
  Pool: { value: ListenedPool, enumerable: true },
  native: { value: null },
}) as typeof pg;
