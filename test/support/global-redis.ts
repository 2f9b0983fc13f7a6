import type { TestProject } from "vitest/node";
import { findRedis } from "../../src/redis/discover.js";

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

/**
 * One Redis for the whole run: REDIS_URL when given, else a private redis-server on a free
 * port, keeping nothing on disk, started the way the lab starts its own (never the shared
 * one on :6379). Tests use their own key prefixes and never flush it. Without redis-server
 * the run fails with the ways to get one.
 */
export default async function setup(project: TestProject) {
  const redis = await findRedis({
    chosen: process.env.REDIS_URL ? { url: process.env.REDIS_URL, source: "REDIS_URL" } : undefined,
    env: process.env,
    localUrl: "redis://127.0.0.1:1",
  });
  project.provide("redisUrl", redis.url);
  return () => redis.close();
}
