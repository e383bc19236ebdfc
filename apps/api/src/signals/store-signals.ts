import type { SignalPayload } from '@neuronetiq/contracts';
import { SignalPayloadSchema } from '@neuronetiq/contracts';
import { type GroupWriteResult, type Queryable, repos, type WriteOutcome } from '@neuronetiq/db';
import type { Principal } from '../auth/principal';
import { principalId, writeContext } from '../auth/principal';
import type { ApiDeps } from '../deps';
import { AppError } from '../errors';
import { keyInFlight, keyReused, requestHash, type StoredResponse, withIdempotency } from '../http/idempotency';
import { assertNoBarInFuture } from '../writes/bar-in-future';
import { createGroupCommit, type GroupCommit } from '../writes/group-commit';
import { storeBatch } from '../writes/store-batch';
import { findWriteViolations } from './authorize-writes';

export interface WriteRequest {
  principal: Principal;
  idempotencyKey: string | undefined;
}

export const immutable = (p: { bar_ts: string; timeframe: string }) =>
  `the signal for bar ${p.bar_ts} (${p.timeframe}) is already stored with other values and its bar has closed; stored signals are never rewritten`;

/** One single-signal request as it waits for its group. */
interface SingleWrite {
  principal: Principal;
  signal: SignalPayload;
  key: string | undefined;
  receivedAtMs: number;
}

type Answer = { ok: StoredResponse & { replayed: boolean }; outcome?: 'stored' | 'unchanged' } | { error: unknown };

const naturalKey = (s: SignalPayload) =>
  `${s.owner}\u0000${s.model_id}\u0000${s.symbol}\u0000${s.timeframe}\u0000${s.bar_ts}`;

// Most single-signal requests a group takes: far below the batch endpoint's 1,000, so that one group's transaction
// stays as short as one request's used to be.
const GROUP_MAX = 200;
// Groups of one principal in flight at once: enough to keep the database busy while the api answers the last group
// and parses the next, few enough to leave the pool to other principals and endpoints.
const GROUPS_IN_FLIGHT = 4;
const groups = new WeakMap<ApiDeps, GroupCommit<SingleWrite, Answer>>();

function groupCommitOf(deps: ApiDeps): GroupCommit<SingleWrite, Answer> {
  let g = groups.get(deps);
  if (!g) {
    g = createGroupCommit<SingleWrite, Answer>({
      write: (_lane, items) => writeGroup(deps, items),
      conflictKeys: (w) => (w.key === undefined ? [naturalKey(w.signal)] : [naturalKey(w.signal), `key\u0000${w.key}`]),
      maxItems: GROUP_MAX,
      maxInFlight: GROUPS_IN_FLIGHT,
    });
    groups.set(deps, g);
  }
  return g;
}

/**
 * POST /api/signals/store: one validated signal; 204, or an error. Concurrent requests of one principal are written
 * together (group commit, ../writes/group-commit.ts): one transaction, one multi-row upsert, one commit for all of
 * them, each request still getting its own answer and its own Idempotency-Key record; a 204 is sent only after the
 * commit.
 */
export async function storeSignal(
  deps: ApiDeps,
  req: WriteRequest & { signal: SignalPayload },
): Promise<StoredResponse & { replayed: boolean }> {
  writeContext(req.principal); // a principal that may not write is refused before it waits for a group
  const receivedAtMs = deps.now();
  assertNoBarInFuture([req.signal], receivedAtMs, () => 'bar_ts');
  const answer = await groupCommitOf(deps).submit(principalId(req.principal), {
    principal: req.principal,
    signal: req.signal,
    key: req.idempotencyKey,
    receivedAtMs,
  });
  if ('error' in answer) throw answer.error;
  if (answer.ok.replayed) deps.metrics.idempotentReplays.inc();
  return answer.ok;
}

async function writeGroup(deps: ApiDeps, items: SingleWrite[]): Promise<Answer[]> {
  const principal = (items[0] as SingleWrite).principal;
  let answers: Answer[];
  try {
    answers = await deps.db.asRequest(writeContext(principal), (tx) => writeTogether(tx, principal, items));
  } catch (err) {
    if (items.length === 1) return [{ error: err }];
    // The group failed as a whole (a deadlock with another writer, a value the database refused, a lost connection):
    // each request is retried alone for its own answer. That is safe even if the commit went through unseen: the
    // retry then finds its row unchanged and its key's record.
    return Promise.all(
      items.map((w) =>
        storeAlone(deps, w).then(
          (ok): Answer => ({ ok }),
          (error: unknown): Answer => ({ error }),
        ),
      ),
    );
  }
  for (const a of answers) {
    if ('ok' in a && a.outcome) deps.metrics.signalsStored.inc({ kind: 'signal', outcome: a.outcome });
  }
  return answers;
}

/** The group's transaction: checks, then one statement for all; each item's answer as if it had come alone. */
async function writeTogether(tx: Queryable, principal: Principal, items: SingleWrite[]): Promise<Answer[]> {
  const answers: (Answer | undefined)[] = items.map(() => undefined);
  const violations = await findWriteViolations(
    tx,
    principal,
    items.map((w) => w.signal),
  );
  const allowed = items.flatMap((w, i) => {
    const violation = violations[i];
    if (violation) answers[i] = { error: new AppError('FORBIDDEN', { message: violation }) };
    return violation ? [] : [{ i, sortKey: naturalKey(w.signal) }];
  });
  // One order for every writer's rows, so that two groups touching the same rows lock them in the same order.
  allowed.sort((a, b) => (a.sortKey < b.sortKey ? -1 : 1));
  const writes = allowed.map(({ i }) => {
    const w = items[i] as SingleWrite;
    return { ...w, hash: w.key === undefined ? undefined : requestHash(w.signal) };
  });
  const results = await repos.signals.storeGroup(tx, principalId(principal), writes, {
    commit: true,
  });
  allowed.forEach(({ i }, j) => {
    const w = writes[j] as SingleWrite & { hash?: string };
    const r = results[j] as GroupWriteResult;
    const key = w.key as string;
    if (r.result === 'in_flight') answers[i] = { error: keyInFlight(key) };
    else if (r.result === 'recorded') {
      answers[i] =
        r.record.request_hash === w.hash
          ? { ok: { status: r.record.response_status, body: r.record.response_body, replayed: true } }
          : { error: keyReused(key) };
    } else if (r.result === 'immutable') {
      answers[i] = { error: new AppError('SIGNAL_IMMUTABLE', { message: immutable(w.signal) }) };
    } else answers[i] = { ok: { status: 204, body: null, replayed: false }, outcome: r.result };
  });
  return answers as Answer[];
}

/** One request in a transaction of its own: the path a failed group's requests are retried on. */
async function storeAlone(deps: ApiDeps, w: SingleWrite): Promise<StoredResponse & { replayed: boolean }> {
  return deps.db.asRequest(writeContext(w.principal), (tx) =>
    withIdempotency({ tx, principal: principalId(w.principal), key: w.key, body: w.signal }, async () => {
      const [violation] = await findWriteViolations(tx, w.principal, [w.signal]);
      if (violation) throw new AppError('FORBIDDEN', { message: violation });
      const [outcome] = await repos.signals.store(tx, [w.signal], { receivedAtMs: w.receivedAtMs });
      if (outcome === 'immutable') throw new AppError('SIGNAL_IMMUTABLE', { message: immutable(w.signal) });
      deps.metrics.signalsStored.inc({ kind: 'signal', outcome: outcome as WriteOutcome });
      return { status: 204, body: null };
    }),
  );
}

/**
 * POST /api/signals/batch: every item is validated and authorised first, and a bad one refuses the whole batch; the
 * items are stored in one statement; the response lists one result per item (stored, unchanged, or immutable).
 */
export function storeSignalBatch(
  deps: ApiDeps,
  req: WriteRequest & { items: readonly unknown[] },
): Promise<StoredResponse & { replayed: boolean }> {
  return storeBatch<SignalPayload>(deps, req, {
    kind: 'signal',
    field: 'signals',
    schema: SignalPayloadSchema,
    keyOf: naturalKey,
    sameWhat: 'model, series and bar',
    store: repos.signals.store,
    immutableMessage: immutable,
  });
}
