/**
 * A real Redis Cluster for tests: three masters started from the `redis-server` binary in
 * cluster mode on free loopback ports, each in its own temporary directory, joined with
 * `redis-cli --cluster create`, and polled until every node reports `cluster_state:ok` with
 * all 16384 slots assigned. Needs nothing but `redis-server` and `redis-cli`.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { rawCommand, startRedisServer, type RedisServer } from "./redis-server.js";
import { waitFor } from "./services.js";

const run = promisify(execFile);

/** A running cluster. */
export interface RedisCluster {
  readonly nodes: readonly RedisServer[];
  /** `{ host, port }` of every master, for the clients' seed lists. */
  readonly seeds: readonly { host: string; port: number }[];
  /** Kills every node and removes their directories. */
  stop(): Promise<void>;
}

/** Starts a cluster of `masters` nodes (no replicas) and waits until it serves every slot. */
export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  const started = await Promise.allSettled(
    Array.from({ length: masters }, () =>
      startRedisServer({
        clusterBus: true,
        args: [
          "--cluster-enabled",
          "yes",
          "--cluster-config-file",
          "{dir}/nodes.conf",
          "--cluster-node-timeout",
          "3000",
        ],
      }),
    ),
  );
  const nodes = started.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.stop()));
  };

  try {
    const failed = started.find((result) => result.status === "rejected");
    if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;

    await run(
      "redis-cli",
      [
        "--cluster",
        "create",
        ...nodes.map((node) => `127.0.0.1:${node.port}`),
        "--cluster-replicas",
        "0",
        "--cluster-yes",
      ],
      { timeout: 30_000 },
    );
    await waitFor(
      "every cluster node to report cluster_state:ok",
      async () => {
        const infos = await Promise.all(nodes.map((node) => rawCommand(node.port, "CLUSTER INFO")));
        return infos.every(
          (info) => info.includes("cluster_state:ok") && info.includes("cluster_slots_ok:16384"),
        );
      },
      20_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    nodes,
    seeds: nodes.map((node) => ({ host: node.host, port: node.port })),
    stop,
  };
}
