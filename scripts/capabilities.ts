import { readFile, writeFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import type { BrokerCapabilities } from "../adapters/core/capabilities.js";
import { type FaultResult, readFaults } from "../adapters/testing/fault-report.js";

/**
 * Generates `docs/capabilities.md`: for each broker adapter, what it declares (read from the
 * capability constant it exports, without connecting anywhere) and how each shared contract
 * test (B01–B28, F3, F4) went in the last recorded test run (vitest's JSON report, which the
 * test run writes to `.taskflow/test-results.json` under CI).
 *
 *     npm run docs:capabilities [-- --results <report.json>] [-- --out <file.md>]
 */

/** One column of the matrix: a contract suite name and the constant that declares it. */
export interface AdapterColumn {
  /** The name the adapter's test file passes to `runBrokerContract`. */
  readonly suite: string;
  readonly folder: string;
  /** The capability constant the folder's `index.ts` exports. */
  readonly exportName: string;
}

export const ADAPTERS: readonly AdapterColumn[] = [
  { suite: "memory", folder: "memory", exportName: "MEMORY_BROKER_CAPABILITIES" },
  { suite: "aws-sns-sqs", folder: "aws-sns-sqs", exportName: "STANDARD_CAPABILITIES" },
  { suite: "aws-sns-sqs (FIFO)", folder: "aws-sns-sqs", exportName: "FIFO_CAPABILITIES" },
  { suite: "gcp-pubsub", folder: "gcp-pubsub", exportName: "PUBSUB_CAPABILITIES" },
  { suite: "azure-service-bus", folder: "azure-service-bus", exportName: "SERVICE_BUS_CAPABILITIES" },
  { suite: "kafka", folder: "kafka", exportName: "KAFKA_CAPABILITIES" },
  { suite: "rabbitmq", folder: "rabbitmq", exportName: "RABBITMQ_CAPABILITIES" },
];

/** Every capability, in the order the matrix lists them; the compiler keeps it complete. */
const CAPABILITY_LABELS: Record<keyof BrokerCapabilities, string> = {
  ordering: "per-key ordering",
  dedupe: "de-duplication by message id",
  ttl: "message TTL",
  delay: "delayed delivery",
  visibilityTimeout: "lock / visibility timeout",
  lockRenewal: "lock renewal",
  historyReplay: "history replay (fromBeginning)",
  management: "topics and subscriptions managed at run time",
  maxMessageBytes: "largest message (bytes)",
  maxHeaders: "most headers",
  maxBatchSize: "most messages per batch call",
};

export const CONTRACT_IDS = [
  ...Array.from({ length: 29 }, (_, i) => `B${String(i + 1).padStart(2, "0")}`),
  "F3",
  "F4",
  "FC2",
  "FC3",
  "FC4",
  "FC5",
] as const;

export type Status = "passed" | "failed" | "skipped";

export interface TestOutcome {
  readonly suite: string;
  readonly id: string;
  /** The test title without its id and skip reason. */
  readonly title: string;
  readonly status: Status;
  readonly skipReason?: string;
}

const SKIPPED_SUFFIX = /^(.*?) \(skipped: (.*)\)$/s;
const SUITE_PREFIX = "broker contract: ";
const CONTRACT_ID = /^(B\d{2}|FC?\d+)\s+(.*)$/s;

/**
 * Reads one test of the report: the enclosing describe names the adapter
 * ("broker contract: kafka", with "(skipped: reason)" when the whole suite was skipped) and
 * the title starts with the contract id (with its own "(skipped: reason)" when only that test
 * was). Anything else in the report is not a contract test and gives `undefined`.
 */
export function parseContractTest(
  ancestorTitles: readonly string[],
  title: string,
  status: string,
): TestOutcome | undefined {
  const describeTitle = ancestorTitles.find((name) => name.startsWith(SUITE_PREFIX));
  if (describeTitle === undefined) return undefined;
  const suitePart = splitSkip(describeTitle.slice(SUITE_PREFIX.length));
  const testPart = splitSkip(title);
  const match = CONTRACT_ID.exec(testPart.text);
  if (!match) return undefined;
  const normalized: Status = status === "passed" ? "passed" : status === "failed" ? "failed" : "skipped";
  const skipReason = normalized === "skipped" ? (testPart.reason ?? suitePart.reason ?? "no reason given") : undefined;
  return {
    suite: suitePart.text,
    id: match[1]!,
    title: match[2]!,
    status: normalized,
    ...(skipReason === undefined ? {} : { skipReason }),
  };
}

function splitSkip(text: string): { text: string; reason?: string } {
  const match = SKIPPED_SUFFIX.exec(text);
  return match ? { text: match[1]!, reason: match[2]! } : { text };
}

interface VitestJsonReport {
  readonly startTime?: number;
  readonly testResults?: readonly {
    readonly assertionResults?: readonly { ancestorTitles: string[]; title: string; status: string }[];
  }[];
}

export function parseReport(report: VitestJsonReport): TestOutcome[] {
  const outcomes: TestOutcome[] = [];
  for (const file of report.testResults ?? []) {
    for (const test of file.assertionResults ?? []) {
      const outcome = parseContractTest(test.ancestorTitles, test.title, test.status);
      if (outcome) outcomes.push(outcome);
    }
  }
  return outcomes;
}

export interface MatrixInput {
  readonly columns: readonly { readonly suite: string; readonly capabilities?: BrokerCapabilities }[];
  readonly outcomes: readonly TestOutcome[];
  /** What the fault certification tests recorded, per suite. */
  readonly faults?: Readonly<Record<string, readonly FaultResult[]>>;
  /** Where the outcomes came from and when, for the page's header. */
  readonly source: string;
}

/** The whole page, Markdown. The same input always renders the same text. */
export function renderMatrix({ columns, outcomes, source, faults = {} }: MatrixInput): string {
  const suites = [...columns.map((column) => column.suite)];
  for (const outcome of outcomes) if (!suites.includes(outcome.suite)) suites.push(outcome.suite);
  const declared = new Map(columns.map((column) => [column.suite, column.capabilities]));
  const reasons: string[] = [];
  const note = (reason: string) => {
    if (!reasons.includes(reason)) reasons.push(reason);
    return reasons.indexOf(reason) + 1;
  };

  const lines = [
    "# Broker capability matrix",
    "",
    "Generated by `npm run docs:capabilities` (`scripts/capabilities.ts`); do not edit by hand.",
    "Capabilities are the constants each adapter exports. Results are from the last contract run,",
    `recorded in ${source};`,
    '"not run here" means that run holds no result for the adapter (its suite was not part of it).',
    "A capability that is not declared is skipped by name, and B28 checks that the adapter refuses it.",
    "To refresh: a CI run (`CI=true npm test`) writes `.taskflow/test-results.json`; or run only the",
    "contract suites with `--reporter=json --outputFile.json=<file>` and pass `-- --results <file>`.",
    "",
    "## Declared capabilities",
    "",
    row(["capability", ...suites]),
    row(["---", ...suites.map(() => "---")]),
  ];
  for (const [key, label] of Object.entries(CAPABILITY_LABELS) as [keyof BrokerCapabilities, string][]) {
    lines.push(
      row([
        label,
        ...suites.map((suite) => {
          const capabilities = declared.get(suite);
          if (!capabilities) return "unknown";
          const value = capabilities[key];
          return typeof value === "boolean" ? (value ? "yes" : "no") : value.toLocaleString("en-US");
        }),
      ]),
    );
  }

  lines.push("", "## Contract results", "", row(["test", ...suites]), row(["---", ...suites.map(() => "---")]));
  const ids = [
    ...CONTRACT_IDS,
    ...new Set(outcomes.map((o) => o.id).filter((id) => !CONTRACT_IDS.includes(id as never))),
  ];
  for (const id of ids) {
    const forId = outcomes.filter((outcome) => outcome.id === id);
    const title = commonTitle(forId.map((outcome) => outcome.title));
    const cells = suites.map((suite) =>
      cell(
        forId.filter((outcome) => outcome.suite === suite),
        note,
      ),
    );
    lines.push(row([title ? `${id} ${title}` : id, ...cells]));
  }

  lines.push(...renderFaults(suites, faults));

  if (reasons.length > 0) {
    lines.push("", "## Skip reasons", "");
    reasons.forEach((reason, index) => {
      lines.push(`${index + 1}. ${reason.replaceAll("\n", " ")}`);
    });
  }
  return `${lines.join("\n")}\n`;
}

/** Broker restarts are a test of their own per adapter, where a private server keeps its data. */
const RESTART_NOTES: Readonly<Record<string, string>> = {
  memory: "no server: not applicable",
  "aws-sns-sqs":
    "not certifiable here: fauxqs keeps its queues in memory, so a restart loses them, which says nothing of SQS",
  "aws-sns-sqs (FIFO)": "as for standard queues",
  "gcp-pubsub": "not certifiable here: the emulator keeps nothing across a restart, which says nothing of Pub/Sub",
  rabbitmq:
    "F1: a private node restarted twice during 10,000 publishes from 100 publishers; every acknowledged publish received (adapters/rabbitmq/broker-restart.int.test.ts)",
};

/** What each adapter did under each fault, from the figures the FC tests recorded. */
export function renderFaults(
  suites: readonly string[],
  faults: Readonly<Record<string, readonly FaultResult[]>>,
): string[] {
  const lines = [
    "",
    "## Fault certification",
    "",
    "What each adapter did under faults, as recorded by the FC tests of the last run on this machine",
    "(`.taskflow/fault-results/`). Lost: acknowledged publishes never handled. Duplicates: deliveries",
    "beyond the first of a message (at least once is allowed). Recovery: from the end of the fault, or",
    "the kill, to the first message handled again.",
    "",
    row(["adapter", "fault", "lost", "duplicates", "recovery (ms)", "notes"]),
    row(["---", "---", "---", "---", "---", "---"]),
  ];
  for (const suite of suites) {
    const restart = RESTART_NOTES[suite];
    if (restart) lines.push(row([suite, "broker restart (FC1)", "", "", "", restart]));
    for (const result of faults[suite] ?? []) {
      lines.push(
        row([
          suite,
          result.fault,
          String(result.lost),
          String(result.duplicates),
          result.recoveryMs === undefined ? "" : String(result.recoveryMs),
          result.note ?? "",
        ]),
      );
    }
  }
  return lines;
}

/**
 * One label for the titles of one id: B28 runs once per undeclared capability, with titles
 * that differ in one word ("undeclared capability ttl is refused"), shown as "*".
 */
export function commonTitle(titles: readonly string[]): string | undefined {
  const distinct = [...new Set(titles)];
  if (distinct.length <= 1) return distinct[0];
  const split = distinct.map((title) => title.split(" "));
  const length = split[0]!.length;
  if (split.some((words) => words.length !== length)) return distinct[0];
  return split[0]!.map((word, index) => (split.every((words) => words[index] === word) ? word : "*")).join(" ");
}

/** One adapter's outcome for one id; B28 runs once per undeclared capability. */
function cell(outcomes: readonly TestOutcome[], note: (reason: string) => number): string {
  if (outcomes.length === 0) return "not run here";
  const failed = outcomes.filter((outcome) => outcome.status === "failed").length;
  const passed = outcomes.filter((outcome) => outcome.status === "passed").length;
  const count = (n: number) => (outcomes.length > 1 ? ` (${n} of ${outcomes.length})` : "");
  if (failed > 0) return `**failed**${count(failed)}`;
  if (passed > 0) return `passed${count(passed)}`;
  const marks = [...new Set(outcomes.map((outcome) => note(outcome.skipReason ?? "no reason given")))];
  return `skipped ${marks.map((mark) => `[${mark}]`).join(" ")}`;
}

function row(cells: readonly string[]): string {
  return `| ${cells.map((text) => text.replaceAll("|", "\\|")).join(" | ")} |`;
}

/** Imports each adapter's index (which loads its SDK but connects nowhere) and takes its constant. */
export async function loadColumns(): Promise<{ suite: string; capabilities?: BrokerCapabilities }[]> {
  const columns: { suite: string; capabilities?: BrokerCapabilities }[] = [];
  for (const adapter of ADAPTERS) {
    // A variable specifier: an adapter folder that is not part of this build is reported, not a compile error.
    const specifier = `../adapters/${adapter.folder}/index.js`;
    let module: Record<string, unknown>;
    try {
      module = (await import(specifier)) as Record<string, unknown>;
    } catch {
      columns.push({ suite: adapter.suite });
      continue;
    }
    const declared = module[adapter.exportName];
    columns.push(
      isBrokerCapabilities(declared) ? { suite: adapter.suite, capabilities: declared } : { suite: adapter.suite },
    );
  }
  return columns;
}

function isBrokerCapabilities(value: unknown): value is BrokerCapabilities {
  if (value === null || typeof value !== "object") return false;
  const record = value as Record<string, unknown>;
  return Object.keys(CAPABILITY_LABELS).every((key) =>
    key.startsWith("max") ? typeof record[key] === "number" : typeof record[key] === "boolean",
  );
}

async function main(argv: readonly string[]): Promise<void> {
  const option = (name: string, fallback: string) => {
    const index = argv.indexOf(name);
    return index >= 0 && argv[index + 1] ? argv[index + 1]! : fallback;
  };
  const resultsPath = option("--results", ".taskflow/test-results.json");
  const outPath = option("--out", "docs/capabilities.md");
  let outcomes: TestOutcome[] = [];
  let source = `\`${resultsPath}\` (missing: no run recorded)`;
  try {
    const report = JSON.parse(await readFile(resultsPath, "utf8")) as VitestJsonReport;
    outcomes = parseReport(report);
    const when = report.startTime ? new Date(report.startTime).toISOString().replace(/\.\d+Z$/, "Z") : "unknown time";
    source = `\`${resultsPath}\` (run started ${when})`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new Error(`[taskflow] [capabilities] cannot read test results "${resultsPath}"`, { cause: error });
    }
  }
  const columns = await loadColumns();
  const faults = Object.fromEntries(columns.map((column) => [column.suite, readFaults(column.suite)]));
  await writeFile(outPath, renderMatrix({ columns, outcomes, source, faults }));
  const missing = columns.filter((column) => !column.capabilities).map((column) => column.suite);
  console.log(
    `wrote ${outPath}: ${outcomes.length} contract results from ${resultsPath}` +
      (missing.length > 0 ? `; no capability constant found for ${missing.join(", ")}` : ""),
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main(process.argv.slice(2));
}
