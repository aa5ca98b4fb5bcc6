/**
 * The two containers the in-memory broker runs on. Both avoid per-item allocation and
 * `Array.prototype.shift` (linear in the length), because a subscription's queue can hold
 * hundreds of thousands of messages under a benchmark.
 */

/** A double-ended queue on a ring buffer that doubles when full. */
export class Deque<T> {
  private items: (T | undefined)[] = new Array(16);
  private head = 0;
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.count === this.items.length) this.grow();
    this.items[(this.head + this.count) & (this.items.length - 1)] = item;
    this.count++;
  }

  unshift(item: T): void {
    if (this.count === this.items.length) this.grow();
    this.head = (this.head - 1) & (this.items.length - 1);
    this.items[this.head] = item;
    this.count++;
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & (this.items.length - 1);
    this.count--;
    return item;
  }

  private grow(): void {
    const next: (T | undefined)[] = new Array(this.items.length * 2);
    for (let i = 0; i < this.count; i++) next[i] = this.items[(this.head + i) & (this.items.length - 1)];
    this.items = next;
    this.head = 0;
  }
}

/** A binary min-heap ordered by each item's `dueAt`. */
export class DueHeap<T extends { dueAt: number }> {
  private readonly items: T[] = [];

  get length(): number {
    return this.items.length;
  }

  /** The earliest `dueAt`, or `Infinity` when empty. */
  get nextDueAt(): number {
    return this.items[0]?.dueAt ?? Number.POSITIVE_INFINITY;
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let index = items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (items[parent]!.dueAt <= item.dueAt) break;
      items[index] = items[parent]!;
      index = parent;
    }
    items[index] = item;
  }

  /** Removes and returns the earliest item if it is due at `now`. */
  popDue(now: number): T | undefined {
    const items = this.items;
    const top = items[0];
    if (top === undefined || top.dueAt > now) return undefined;
    const last = items.pop()!;
    if (items.length > 0) {
      let index = 0;
      const length = items.length;
      for (;;) {
        const left = 2 * index + 1;
        if (left >= length) break;
        const right = left + 1;
        const child = right < length && items[right]!.dueAt < items[left]!.dueAt ? right : left;
        if (items[child]!.dueAt >= last.dueAt) break;
        items[index] = items[child]!;
        index = child;
      }
      items[index] = last;
    }
    return top;
  }
}
