// The machine's bcrypt limit: bcrypt verifications per second at a cost, with libuv's thread pool
// (the same pool and size as the app's) kept full, nothing else running in this process.
// `node bench/bcrypt-limit.mjs <cost> <seconds>` prints one JSON line { cost, perSecond, cpuMicros }:
// cpuMicros is this process's CPU time per verification (all threads), what a login cannot do without.
import bcrypt from 'bcrypt';

const cost = Number(process.argv[2] ?? 12);
const seconds = Number(process.argv[3] ?? 5);
const hash = await bcrypt.hash('correct horse battery staple', cost);
const inFlight = 2 * Number(process.env.UV_THREADPOOL_SIZE ?? 4);
let done = 0;
let stop = false;
const started = Date.now();
const cpuBefore = process.cpuUsage();
await Promise.all(
  Array.from({ length: inFlight }, async () => {
    while (!stop) {
      await bcrypt.compare('correct horse battery staple', hash);
      if (Date.now() - started >= seconds * 1000) stop = true;
      else done++;
    }
  }),
);
const { user, system } = process.cpuUsage(cpuBefore);
console.log(
  JSON.stringify({
    cost,
    perSecond: done / ((Date.now() - started) / 1000),
    // The verifications still in flight at the end were paid for too.
    cpuMicros: (user + system) / (done + inFlight),
  }),
);
