import { describe, expect, it } from "vitest";
import type { BrokerCapabilities } from "../adapters/core/capabilities.js";
import { commonTitle, parseContractTest, parseReport, renderMatrix } from "./capabilities.js";

const CAPS: BrokerCapabilities = {
  ordering: true,
  dedupe: false,
  ttl: false,
  delay: false,
  visibilityTimeout: true,
  lockRenewal: false,
  historyReplay: true,
  management: true,
  maxMessageBytes: 1_000_000,
  maxHeaders: 64,
  maxBatchSize: 500,
};

describe("contract title parser", () => {
  it("reads the adapter from the describe and the id from the title", () => {
    expect(
      parseContractTest(["broker contract: aws-sns-sqs (FIFO)"], "B13 per-key order: 1000 messages", "passed"),
    ).toEqual({
      suite: "aws-sns-sqs (FIFO)",
      id: "B13",
      title: "per-key order: 1000 messages",
      status: "passed",
    });
  });

  it("takes the test's own skip reason first, then the suite's, even with parentheses inside", () => {
    const suite = "broker contract: kafka (skipped: KAFKA_BROKERS is not set (no Docker); see compose.yaml)";
    expect(parseContractTest([suite], "B06 topics are isolated", "skipped")).toMatchObject({
      suite: "kafka",
      id: "B06",
      status: "skipped",
      skipReason: "KAFKA_BROKERS is not set (no Docker); see compose.yaml",
    });
    expect(
      parseContractTest([suite], "B10 long handler (skipped: capability lockRenewal not declared)", "pending"),
    ).toMatchObject({ title: "long handler", skipReason: "capability lockRenewal not declared" });
  });

  it("ignores tests outside a contract suite or without a contract id", () => {
    expect(parseContractTest(["F1 broker restarted twice"], "F1 every publish", "passed")).toBeUndefined();
    expect(parseContractTest(["broker contract: memory"], "opens and closes", "passed")).toBeUndefined();
  });

  it("reads every contract test of a vitest JSON report", () => {
    const outcomes = parseReport({
      testResults: [
        {
          assertionResults: [
            { ancestorTitles: ["broker contract: memory"], title: "B01 round trip", status: "passed" },
            { ancestorTitles: ["kafka records"], title: "maps headers", status: "passed" },
            { ancestorTitles: ["broker contract: memory"], title: "F3 poison", status: "failed" },
          ],
        },
      ],
    });
    expect(outcomes.map((outcome) => `${outcome.suite} ${outcome.id} ${outcome.status}`)).toEqual([
      "memory B01 passed",
      "memory F3 failed",
    ]);
  });
});

describe("row titles", () => {
  it("marks the words that differ between the variants of one test", () => {
    expect(commonTitle(["capability ttl is refused", "capability delay is refused", "capability ttl is refused"])).toBe(
      "capability * is refused",
    );
    expect(commonTitle(["round trip"])).toBe("round trip");
    expect(commonTitle(["a b", "a b c"])).toBe("a b");
    expect(commonTitle([])).toBeUndefined();
  });
});

describe("capability matrix", () => {
  const page = renderMatrix({
    columns: [{ suite: "kafka", capabilities: CAPS }, { suite: "gcp-pubsub" }],
    source: "`report.json`",
    outcomes: [
      { suite: "kafka", id: "B01", title: "round trip", status: "passed" },
      {
        suite: "kafka",
        id: "B10",
        title: "renewal",
        status: "skipped",
        skipReason: "capability lockRenewal not declared",
      },
      { suite: "kafka", id: "B28", title: "refuses ttl", status: "passed" },
      { suite: "kafka", id: "B28", title: "refuses delay", status: "failed" },
      { suite: "memory", id: "B01", title: "round trip", status: "passed" },
    ],
  });
  const lineOf = (start: string) => page.split("\n").find((line) => line.startsWith(start));

  it("lists declared capabilities per adapter, unknown where no constant was found", () => {
    expect(lineOf("| capability |")).toBe("| capability | kafka | gcp-pubsub | memory |");
    expect(lineOf("| per-key ordering |")).toBe("| per-key ordering | yes | unknown | unknown |");
    expect(lineOf("| largest message (bytes) |")).toBe("| largest message (bytes) | 1,000,000 | unknown | unknown |");
  });

  it("shows each result, numbered skip reasons, failures among repeated ids, and what did not run", () => {
    expect(lineOf("| B01 ")).toBe("| B01 round trip | passed | not run here | passed |");
    expect(lineOf("| B10 ")).toBe("| B10 renewal | skipped [1] | not run here | not run here |");
    expect(lineOf("| B28 ")).toBe("| B28 refuses * | **failed** (1 of 2) | not run here | not run here |");
    expect(lineOf("| B02 |")).toBe("| B02 | not run here | not run here | not run here |");
    expect(page).toContain("## Skip reasons\n\n1. capability lockRenewal not declared\n");
  });
});
