import type { Message } from "../adapters/core/message.js";
import { MemoryBroker } from "../adapters/memory/message-broker.js";
import { median } from "./lib/measure.js";
import { type BenchResult, writeReport } from "./lib/report.js";

/**
 * Messages per second published and handled through `MemoryBroker`, against a bare array
 * queue with an async handler loop doing the same handler work, measured in the same run with
 * their rounds interleaved. Ratio = broker / bare queue: what the broker's guarantees
 * (validation, size limits, a JSON copy of each body, consumer groups, concurrency limits,
 * lock and retry bookkeeping) cost. Target: at least 300,000 msg/s.
 *
 * The publisher works like a service answering requests: a chunk of concurrent publishes,
 * then a turn of the event loop. Two figures per subject: wall clock, and CPU time of the
 * whole process (garbage collection included), which stays meaningful when the shared
 * machine is busy.
 */

const MESSAGES_PER_ROUND = 100_000;
const CHUNK = 1_000;
const ROUNDS = 7;

interface TaskEvent {
  readonly taskId: string;
  readonly type: string;
  readonly position: number;
}

const event = (i: number): TaskEvent => ({ taskId: `task-${i}`, type: "task.moved", position: i });

/** The handler both subjects run: the same small piece of work per message. */
function createHandler() {
  const state = { handled: 0, checksum: 0, target: 0, done: (): void => {} };
  const handle = async (message: Pick<Message<TaskEvent>, "body">): Promise<void> => {
    state.checksum += message.body.position;
    state.handled++;
    if (state.handled === state.target) state.done();
  };
  return { state, handle };
}

type Publish = (body: TaskEvent) => Promise<unknown>;

interface Round {
  readonly wallPerSec: number;
  readonly cpuPerSec: number;
}

async function runRound(publish: Publish, state: ReturnType<typeof createHandler>["state"]): Promise<Round> {
  state.handled = 0;
  state.target = MESSAGES_PER_ROUND;
  const finished = new Promise<void>((resolve) => {
    state.done = resolve;
  });
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  for (let sent = 0; sent < MESSAGES_PER_ROUND; sent += CHUNK) {
    const pending: Promise<unknown>[] = [];
    for (let i = sent; i < sent + CHUNK; i++) pending.push(publish(event(i)));
    await Promise.all(pending);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await finished;
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return { wallPerSec: (MESSAGES_PER_ROUND / wallMs) * 1000, cpuPerSec: (MESSAGES_PER_ROUND / cpuMs) * 1000 };
}

/** The baseline: an array, a read index, and a loop that awaits the handler for each message. */
function createBareQueue(handle: (message: { body: TaskEvent }) => Promise<void>): Publish {
  let queue: { body: TaskEvent }[] = [];
  let next = 0;
  let scheduled = false;
  const drain = async () => {
    while (next < queue.length) await handle(queue[next++]!);
    queue = [];
    next = 0;
    scheduled = false;
  };
  return async (body) => {
    queue.push({ body });
    if (!scheduled) {
      scheduled = true;
      setImmediate(drain);
    }
  };
}

const brokerHandler = createHandler();
const broker = new MemoryBroker();
await broker.subscribe<TaskEvent>("task-events", "bench", brokerHandler.handle);
const publishToBroker: Publish = (body) => broker.publish("task-events", { key: body.taskId, body });

const bareHandler = createHandler();
const publishToBare = createBareQueue(bareHandler.handle);

// Warm-up: let the JIT settle on both paths before measuring.
await runRound(publishToBare, bareHandler.state);
await runRound(publishToBroker, brokerHandler.state);

const brokerRounds: Round[] = [];
const bareRounds: Round[] = [];
for (let round = 0; round < ROUNDS; round++) {
  if (round % 2 === 0) {
    bareRounds.push(await runRound(publishToBare, bareHandler.state));
    brokerRounds.push(await runRound(publishToBroker, brokerHandler.state));
  } else {
    brokerRounds.push(await runRound(publishToBroker, brokerHandler.state));
    bareRounds.push(await runRound(publishToBare, bareHandler.state));
  }
}
await broker.close();

const UNIT = "msg/s published and handled (higher is better)";
const results: BenchResult[] = [
  {
    name: "memory broker, wall clock",
    value: median(brokerRounds.map((round) => round.wallPerSec)),
    unit: UNIT,
    baseline: { name: "bare array queue", value: median(bareRounds.map((round) => round.wallPerSec)) },
  },
  {
    name: "memory broker, per CPU second",
    value: median(brokerRounds.map((round) => round.cpuPerSec)),
    unit: UNIT,
    baseline: { name: "bare array queue", value: median(bareRounds.map((round) => round.cpuPerSec)) },
  },
];
const report = await writeReport("memory-broker", results);
for (const result of report.results) {
  console.log(
    `[bench] ${result.name}: ${result.value} ${result.unit}; ${result.baseline?.name} ${result.baseline?.value}; ratio ${result.ratio}`,
  );
}
