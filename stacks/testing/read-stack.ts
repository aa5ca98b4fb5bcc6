import type { PlatformDeclaration } from "../../services/platform.js";
import type { CloudReading } from "./capabilities.js";
import type { StackRun } from "./run-stack.js";

/** What every target's graph reader, `stacks/testing/<target>-graph.ts`, exports. */
interface GraphReader {
  readGraph(run: StackRun, declaration: PlatformDeclaration): CloudReading;
}

/**
 * Reads a stack run back into cloud-neutral capabilities with its target's graph reader,
 * found by the target's name, so a new target adds its reader file and nothing here.
 */
export async function readStack(run: StackRun, declaration: PlatformDeclaration): Promise<CloudReading> {
  let reader: GraphReader;
  try {
    // A computed path, so that the test runner and tsx both resolve it as a plain file.
    const file = new URL(`./${run.provider}-graph.ts`, import.meta.url).href;
    reader = (await import(/* @vite-ignore */ file)) as GraphReader;
  } catch (cause) {
    throw new Error(
      `[taskflow] [testing] no graph reader for provider "${run.provider}": add stacks/testing/${run.provider}-graph.ts exporting readGraph`,
      { cause },
    );
  }
  return reader.readGraph(run, declaration);
}
