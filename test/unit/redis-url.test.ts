import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { maskRedisUrl, parseRedisUrl } from "../../src/redis/url.js";

describe("Redis URLs", () => {
  it("masks the password", () => {
    expect(maskRedisUrl("redis://user:s3cret@cache.example:6380/2")).toBe(
      "redis://user:***@cache.example:6380/2",
    );
    expect(maskRedisUrl("rediss://:s3cret@cache.example")).toBe("rediss://:***@cache.example");
    expect(maskRedisUrl("redis://127.0.0.1:6379")).toBe("redis://127.0.0.1:6379");
  });

  it.each(["http://localhost:6379", "not a url", "localhost:6379"])("rejects %s", (value) => {
    expect(() => parseRedisUrl(value, "--redis-url")).toThrow(UsageError);
  });
});
