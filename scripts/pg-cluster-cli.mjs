// Starts a throwaway PostgreSQL cluster, prints its URL and keeps it up until Ctrl-C.
//   node scripts/pg-cluster-cli.mjs
//   OKRA_TEST_DB=pg OKRA_TEST_DATABASE_URL=<url> npx vitest test/
import { startThrowawayCluster } from "./pg-cluster.mjs";

const began = performance.now();
const cluster = await startThrowawayCluster();
const seconds = ((performance.now() - began) / 1000).toFixed(2);
console.error(`throwaway PostgreSQL cluster up in ${seconds} s; Ctrl-C stops it and deletes its files`);
console.log(cluster.url);

const keepAlive = setInterval(() => {}, 1 << 30);
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(keepAlive);
    await cluster.stop();
    console.error("cluster stopped and removed");
    process.exit(0);
  });
}
