import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { SubscribeOptions } from "../core/message-broker.js";
import { until } from "./broker-collector.js";
import type { ChildSpec } from "./consumer-child.js";

/** A consumer whose handlers never finish, and that can die as a killed process does. */
export interface KillableConsumer {
  /** Message ids it received, in order. */
  readonly received: readonly string[];
  waitForDeliveries(count: number, timeoutMs: number): Promise<void>;
  /** Dies at once: no ack, no nack, no lock renewal, no close. */
  kill(): Promise<void>;
}

export type KillableConsumerFactory = (
  topic: string,
  subscription: string,
  options: SubscribeOptions,
) => Promise<KillableConsumer>;

/** The adapter as the child builds it: a module, its factory's name and JSON options for it. */
export interface ChildAdapter {
  readonly module: URL;
  readonly factory: string;
  readonly options: unknown;
}

const CHILD = fileURLToPath(new URL("./consumer-child.ts", import.meta.url));

/** Runs the consumer in a child process, which `kill()` ends with SIGKILL. */
export function childProcessConsumer(adapter: ChildAdapter): KillableConsumerFactory {
  return async (topic, subscription, options) => {
    const spec: ChildSpec = {
      module: adapter.module.href,
      factory: adapter.factory,
      options: adapter.options,
      topic,
      subscription,
      subscribe: options,
    };
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, JSON.stringify(spec)], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, METADATA_SERVER_DETECTION: "none" },
    });
    const received: string[] = [];
    let ready = false;
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const event = JSON.parse(line) as { ready?: boolean; received?: string };
      if (event.ready) ready = true;
      if (event.received) received.push(event.received);
    });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const alive = () => child.exitCode === null && child.signalCode === null;
    await until(
      () => {
        if (!alive()) throw new Error(`[taskflow] [tests] the consumer process exited early: ${stderr.trim()}`);
        return ready;
      },
      30_000,
      "the consumer process to subscribe",
    );
    return {
      received,
      waitForDeliveries: (count, timeoutMs) =>
        until(
          () => received.length >= count,
          timeoutMs,
          () => `${count} deliveries in the child (have ${received.length})`,
        ),
      kill: () => killNow(child, exited),
    };
  };
}

async function killNow(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await exited;
}
