import { rm } from "node:fs/promises";
import { join } from "node:path";
import { RedisUnavailableError } from "../errors.js";
import { pollUntil } from "../poll.js";
import { findFreePortRange } from "../processes/ports.js";
import { type SpawnedGroup, spawnGroup } from "../processes/spawn-group.js";
import { clusterView } from "./cluster-view.js";
import { connectRedis } from "./inspect.js";
import { ownedTempDir } from "./owned-dir.js";
import { HOW_TO_GET_REDIS, launchRedisServer, type RedisInUse } from "./server.js";
import type { ClusterView } from "./topology.js";

const NODES = 6;
const READY_MS = 15_000;
/** The folders of the nodes' files (nodes-<port>.conf), one per cluster, in the OS's temp folder. */
const DIR_PREFIX = "session-lab-cluster-";

/**
 * A Redis Cluster of the lab's own (exercise 06): six redis-server nodes on free
 * ports (their cluster bus ports chosen free too, with `cluster-port`), joined by
 * `redis-cli --cluster create --cluster-replicas 1` into three primaries and three replicas;
 * every process through spawnGroup (so teardown and a run after a SIGKILL find them), the
 * nodes' files in a folder removed at close, or by the next cluster started after a lab that
 * was killed. The instances get REDIS_CLUSTER_NODES (the seed nodes, host:port, comma
 * separated); REDIS_URL names the first node.
 */
export async function startClusterRedis(
  env: NodeJS.ProcessEnv,
): Promise<
  RedisInUse & { env: Record<string, string>; nodes: readonly string[]; cluster: ClusterView }
> {
  const found = await findFreePortRange(NODES * 2);
  const ports = found.slice(0, NODES);
  const busPorts = found.slice(NODES);
  const dir = await ownedTempDir(DIR_PREFIX);
  const groups: SpawnedGroup[] = [];
  const close = async () => {
    await Promise.all(groups.map((g) => g.stop(3000)));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const launched = await Promise.all(
      ports.map((port, i) =>
        launchRedisServer(port, env, [
          "--dir",
          dir,
          "--cluster-enabled",
          "yes",
          "--cluster-config-file",
          join(dir, `nodes-${port}.conf`),
          "--cluster-port",
          String(busPorts[i]),
          "--cluster-node-timeout",
          "2000",
        ]),
      ),
    );
    for (const g of launched) if (g) groups.push(g);
    if (groups.length < NODES)
      throw new RedisUnavailableError(
        "This exercise needs redis-server 7 or newer (its cluster mode, with cluster-port), to start a Redis Cluster of the lab's own.",
        HOW_TO_GET_REDIS,
      );
    const nodes = ports.map((p) => `127.0.0.1:${p}`);
    const create = spawnGroup({
      file: "redis-cli",
      args: ["--cluster", "create", ...nodes, "--cluster-replicas", "1", "--cluster-yes"],
      env,
      description: "redis-cli --cluster create",
      output: false,
    });
    const { code } = await create.exited;
    const ok =
      code === 0 &&
      (await pollUntil(async () => (await Promise.all(nodes.map(clusterOk))).every(Boolean), {
        timeoutMs: READY_MS,
        everyMs: 100,
      }));
    if (!ok)
      throw new RedisUnavailableError(
        "The lab's Redis Cluster did not come together (redis-cli --cluster create failed, or the cluster state is not ok).",
        "Check that redis-cli is installed beside redis-server (`redis-cli --version`), and try again.",
      );
    const url = `redis://${nodes[0]}`;
    return {
      url,
      label: url,
      source: `started its own: a Redis Cluster of ${NODES} nodes on :${ports[0]}–:${ports.at(-1)}`,
      env: { REDIS_CLUSTER_NODES: nodes.join(",") },
      nodes,
      cluster: clusterView(nodes),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

async function clusterOk(node: string): Promise<boolean> {
  const client = await connectRedis(`redis://${node}`, 1000).catch(() => undefined);
  if (!client) return false;
  try {
    if (!/cluster_state:ok/.test(String(await client.call("CLUSTER", "INFO")))) return false;
    // Every node must also know every other's role: three primaries, three replicas.
    const roles = String(await client.call("CLUSTER", "NODES"))
      .trim()
      .split("\n")
      .map((line) => (line.split(" ")[2] ?? "").replace("myself,", ""));
    return (
      roles.filter((r) => r === "master").length === NODES / 2 &&
      roles.filter((r) => r === "slave").length === NODES / 2
    );
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
