/**
 * Group commit: concurrent calls that share a lane (one principal) are written together, by one call of `write` (one
 * transaction), instead of one transaction each. A lane runs at most `maxInFlight` groups at a time; calls that
 * arrive meanwhile form the next group, so an idle lane starts a call at once and a busy one batches as much as piled
 * up. Two calls that share a conflict key (the same row, the same Idempotency-Key) are never in flight together: the
 * later one waits for a group after the first one's, where it sees what that one committed, as if they had come one
 * after the other.
 */
export interface GroupCommit<T, R> {
  submit(lane: string, item: T): Promise<R>;
}

interface Pending<T, R> {
  item: T;
  keys: readonly string[];
  resolve(result: R): void;
  reject(err: unknown): void;
}

interface Lane<T, R> {
  queue: Pending<T, R>[];
  inFlight: number;
  /** Conflict keys of the groups in flight. */
  busy: Set<string>;
  scheduled: boolean;
}

export function createGroupCommit<T, R>(options: {
  /** Writes one group; returns one result per item, in order. Throwing fails every call of the group. */
  write(lane: string, items: T[]): Promise<R[]>;
  /** What must not be written twice in one group, nor by two groups at once. */
  conflictKeys(item: T): readonly string[];
  /** Most calls per group. */
  maxItems: number;
  /** Most groups of one lane in flight at once (each holds a database connection). */
  maxInFlight: number;
}): GroupCommit<T, R> {
  const lanes = new Map<string, Lane<T, R>>();

  function start(name: string, lane: Lane<T, R>): void {
    lane.scheduled = false;
    while (lane.inFlight < options.maxInFlight && lane.queue.length > 0) {
      const group: Pending<T, R>[] = [];
      const later: Pending<T, R>[] = [];
      for (const p of lane.queue) {
        if (group.length >= options.maxItems || p.keys.some((k) => lane.busy.has(k))) later.push(p);
        else {
          for (const k of p.keys) lane.busy.add(k);
          group.push(p);
        }
      }
      lane.queue = later;
      if (group.length === 0) break;
      lane.inFlight += 1;
      options
        .write(
          name,
          group.map((p) => p.item),
        )
        .then(
          (results) => {
            for (const [i, p] of group.entries()) p.resolve(results[i] as R);
          },
          (err: unknown) => {
            for (const p of group) p.reject(err);
          },
        )
        .finally(() => {
          lane.inFlight -= 1;
          for (const p of group) for (const k of p.keys) lane.busy.delete(k);
          if (lane.queue.length > 0) schedule(name, lane);
          else if (lane.inFlight === 0) lanes.delete(name);
        });
    }
  }

  // Calls whose bytes arrived in the same turn of the event loop join one group rather than queue behind a group of
  // one.
  function schedule(name: string, lane: Lane<T, R>): void {
    if (lane.scheduled) return;
    lane.scheduled = true;
    setImmediate(() => start(name, lane));
  }

  return {
    submit(name, item) {
      return new Promise<R>((resolve, reject) => {
        let lane = lanes.get(name);
        if (!lane) {
          lane = { queue: [], inFlight: 0, busy: new Set(), scheduled: false };
          lanes.set(name, lane);
        }
        lane.queue.push({ item, keys: options.conflictKeys(item), resolve, reject });
        if (lane.inFlight < options.maxInFlight) schedule(name, lane);
      });
    },
  };
}
