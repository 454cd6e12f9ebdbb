// Starts a throwaway PostgreSQL cluster, prints its URL and keeps it up until Ctrl-C, which stops
// it and deletes its files. For running a few suites by hand against a server:
//   node scripts/pg-cluster-cli.mjs          # prints postgres://postgres@127.0.0.1:<port>/okra_test
//   OKRA_TEST_DATABASE_URL=<url> npx vitest run test/api
import { startThrowawayCluster } from "./pg-cluster.mjs";

const began = performance.now();
let cluster;
try {
  cluster = await startThrowawayCluster();
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
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
