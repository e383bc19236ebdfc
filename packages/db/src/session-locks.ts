// Session-level locks for leader election. A session lock lives exactly as long as one database session, so it needs
// a connection of its own whose death is reported (an error on an idle client means the lock is gone with it), which
// the pool behind Db hides: `openDedicatedSession` is that connection.
//
// On the embedded database (PGlite behind pglite-socket) every client connection shares ONE backend session, so an
// advisory lock is granted to everyone and excludes nobody. `isSharedSessionBackend` detects it (two connections
// report the same pg_backend_pid()), and a lease stands in: holder and expiry in a session-wide setting of that one
// backend (shared by every connection, which is what makes it a global register there), taken or renewed by one
// compare-and-set statement with the database's clock.
import pg from 'pg';
import type { Queryable } from './client';

/** One database connection of its own, not from a pool; `onLost` fires once if the server side goes away. */
export interface DedicatedSession extends Queryable {
  /** Called (once) when the connection fails while open: whatever it held (locks, LISTEN) is gone. */
  onLost(listener: (err: Error) => void): void;
  /** NOTIFY messages for the channels this session LISTENs on. */
  onNotification(listener: (n: { channel: string; payload: string | undefined }) => void): void;
  close(): Promise<void>;
}

export async function openDedicatedSession(
  databaseUrl: string,
  options: { applicationName?: string } = {},
): Promise<DedicatedSession> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: options.applicationName });
  const listeners: ((err: Error) => void)[] = [];
  let lost = false;
  client.on('error', (err) => {
    if (lost) return;
    lost = true;
    for (const l of listeners) l(err);
  });
  await client.connect();
  return {
    async query<Row>(sql: string, params?: readonly unknown[]) {
      return (await client.query(sql, params as unknown[] | undefined)).rows as Row[];
    },
    onLost(listener) {
      listeners.push(listener);
    },
    onNotification(listener) {
      client.on('notification', (n) => listener({ channel: n.channel, payload: n.payload }));
    },
    async close() {
      lost = true;
      await client.end().catch(() => {});
    },
  };
}

/** True when separate connections share one backend session (PGlite over pglite-socket). */
export async function isSharedSessionBackend(databaseUrl: string): Promise<boolean> {
  const a = await openDedicatedSession(databaseUrl, { applicationName: 'neuronetiq-probe' });
  try {
    const b = await openDedicatedSession(databaseUrl, { applicationName: 'neuronetiq-probe' });
    try {
      const [ra, rb] = await Promise.all([
        a.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'),
        b.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'),
      ]);
      return ra[0]?.pid === rb[0]?.pid;
    } finally {
      await b.close();
    }
  } finally {
    await a.close();
  }
}

/** A key in the database's advisory-lock space: a bigint, as text or bigint. */
export type AdvisoryLockKey = bigint | `${number}`;

const keyText = (key: AdvisoryLockKey) => {
  const text = String(key);
  if (!/^-?\d{1,19}$/.test(text)) throw new RangeError(`advisory lock key must be a bigint, got "${text}"`);
  return text;
};

/** `pg_try_advisory_lock`: takes the session-level lock if free (or already this session's); never waits. */
export async function tryAdvisoryLock(session: Queryable, key: AdvisoryLockKey): Promise<boolean> {
  // Inlined (checked digits): one simple-protocol message, whole even through the embedded database's socket.
  const [row] = await session.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${keyText(key)}) AS ok`);
  return row?.ok === true;
}

/** Releases a session-level advisory lock this session holds; false if it held none. */
export async function advisoryUnlock(session: Queryable, key: AdvisoryLockKey): Promise<boolean> {
  const [row] = await session.query<{ ok: boolean }>(`SELECT pg_advisory_unlock(${keyText(key)}) AS ok`);
  return row?.ok === true;
}

export interface SessionLease {
  /** Name of the session-wide setting that holds the lease, e.g. `neuronetiq.orchestrator_leader`. */
  name: string;
  /** Who asks: letters, digits, `.`, `_`, `:` or `-` (1-64). */
  holder: string;
  leaseMs: number;
}

const SETTING = /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/;
const HOLDER = /^[A-Za-z0-9._:-]{1,64}$/;

function checkLease(lease: SessionLease): void {
  if (!SETTING.test(lease.name)) throw new RangeError(`lease name must look like "prefix.name", got "${lease.name}"`);
  if (!HOLDER.test(lease.holder)) {
    throw new RangeError('lease holder must be 1-64 letters, digits, ".", "_", ":" or "-"');
  }
  if (!(Number.isInteger(lease.leaseMs) && lease.leaseMs > 0))
    throw new RangeError('leaseMs must be a positive integer');
}

// Values are inlined (checked above: a setting name, a plain id and an integer) so that the statement is one
// simple-protocol message, which the embedded database's socket runs whole outside a transaction.

/**
 * Compare-and-set of a lease in the session-wide setting `lease.name`: free, expired or already ours → ours until
 * now + leaseMs (renewed). Returns true when `lease.holder` holds it afterwards.
 */
export async function takeSessionLease(session: Queryable, lease: SessionLease): Promise<boolean> {
  checkLease(lease);
  const { name, holder, leaseMs } = lease;
  const [row] = await session.query<{ lease: string }>(`
SELECT set_config('${name}',
         CASE WHEN cur = '' OR split_part(cur, '|', 1) = '${holder}' OR split_part(cur, '|', 2)::bigint <= now_ms
              THEN '${holder}|' || (now_ms + ${leaseMs})::text
              ELSE cur END,
         false) AS lease
FROM (SELECT coalesce(current_setting('${name}', true), '') AS cur,
             (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now_ms) s`);
  return row?.lease.split('|')[0] === holder;
}

/** Gives a lease back if `lease.holder` holds it (another holder's lease is left alone). */
export async function dropSessionLease(session: Queryable, lease: Omit<SessionLease, 'leaseMs'>): Promise<void> {
  checkLease({ ...lease, leaseMs: 1 });
  await session.query(`
SELECT set_config('${lease.name}', CASE WHEN split_part(cur, '|', 1) = '${lease.holder}' THEN '' ELSE cur END, false)
FROM (SELECT coalesce(current_setting('${lease.name}', true), '') AS cur) s`);
}
