// Leader election for the orchestrator: one instance works, the others are hot standbys that take over when it dies.
//
// On PostgreSQL: a session-level advisory lock held on a dedicated connection. PostgreSQL releases it the moment
// that session ends (process crash, machine gone, network cut), so a standby polling pg_try_advisory_lock takes
// over within one poll interval. DATABASE_URL must reach a real session (direct connection or a session pooler;
// a transaction-mode pooler such as Supabase's port 6543 cannot hold a session lock).
//
// On the embedded database (PGlite behind pglite-socket) every client connection shares ONE backend session, so
// the advisory lock is granted to every instance: it cannot exclude anyone. That backend is detected (two
// simultaneous connections report the same pg_backend_pid()) and a lease is used instead: holder id and expiry kept
// in a session-wide setting of that single backend (shared by every connection, which is exactly what makes it a
// global register there), taken or renewed by one compare-and-set statement (the socket runs statements one at a
// time) with the database's clock. A dead leader stops renewing; its lease expires after `leaseMs` and a standby
// takes it. The lease lives as long as the embedded database process, which is also the lifetime of everything
// that uses it.
//
// The SQL lives in packages/db (session-locks.ts); this file is the election policy on top of it.
import {
  advisoryUnlock,
  type DedicatedSession,
  dropSessionLease,
  isSharedSessionBackend,
  openDedicatedSession,
  takeSessionLease,
  tryAdvisoryLock,
} from '@neuronetiq/db';

export { isSharedSessionBackend };

export type LeaderMode = 'advisory' | 'lease';

export interface LeaderLock {
  readonly mode: LeaderMode;
  /** Takes the lock if it is free (or already ours); false when another instance holds it. */
  tryAcquire(): Promise<boolean>;
  /** True while we still hold it (advisory: the session is alive; lease: renewed). False means we lost it. */
  confirm(): Promise<boolean>;
  release(): Promise<void>;
}

// One bigint key in the advisory lock space of the database (migrations use 7306141112).
const ORCHESTRATOR_LOCK_KEY = '7306141120';
const LEASE_SETTING = 'neuronetiq.orchestrator_leader';

export interface LeaderLockOptions {
  databaseUrl: string;
  /** Unique per process; names the lease holder. */
  instanceId: string;
  /** Lease length on a shared-session backend; renewed by every confirm(). */
  leaseMs: number;
  /** Forces a mode instead of detecting it (tests). */
  mode?: LeaderMode;
}

export async function createLeaderLock(options: LeaderLockOptions): Promise<LeaderLock> {
  const mode = options.mode ?? ((await isSharedSessionBackend(options.databaseUrl)) ? 'lease' : 'advisory');
  return mode === 'advisory' ? createAdvisoryLock(options) : createLeaseLock(options);
}

/** One dedicated session at a time; forgotten (and closed) when the server side goes away. */
function sessionHolder(options: LeaderLockOptions, onLost: () => void) {
  let session: DedicatedSession | undefined;
  return {
    async get(): Promise<DedicatedSession> {
      if (session) return session;
      const s = await openDedicatedSession(options.databaseUrl, {
        applicationName: `orchestrator-leader:${options.instanceId}`,
      });
      // An error on the idle session (backend terminated, server restart) means the lock is gone with it.
      s.onLost(() => {
        if (session !== s) return;
        session = undefined;
        void s.close();
        onLost();
      });
      session = s;
      return s;
    },
    current: () => session,
    async close(): Promise<void> {
      const s = session;
      session = undefined;
      await s?.close();
    },
  };
}

function createAdvisoryLock(options: LeaderLockOptions): LeaderLock {
  let held = false;
  const holder = sessionHolder(options, () => {
    held = false;
  });
  return {
    mode: 'advisory',
    async tryAcquire() {
      if (held && holder.current()) return true;
      const session = await holder.get();
      held = await tryAdvisoryLock(session, ORCHESTRATOR_LOCK_KEY);
      return held;
    },
    async confirm() {
      const session = holder.current();
      if (!held || !session) return false;
      try {
        await session.query('SELECT 1');
        return true;
      } catch {
        held = false;
        await holder.close();
        return false;
      }
    },
    async release() {
      const session = holder.current();
      if (!session) return;
      try {
        if (held) await advisoryUnlock(session, ORCHESTRATOR_LOCK_KEY);
      } catch {
        // the session is gone, and the lock with it
      }
      held = false;
      await holder.close();
    },
  };
}

function createLeaseLock(options: LeaderLockOptions): LeaderLock {
  const lease = { name: LEASE_SETTING, holder: options.instanceId, leaseMs: Math.round(options.leaseMs) };
  if (!/^[A-Za-z0-9._:-]{1,64}$/.test(options.instanceId)) {
    throw new RangeError('instanceId must be 1-64 letters, digits, ".", "_", ":" or "-"');
  }
  let held = false;
  const holder = sessionHolder(options, () => {});
  const take = async () => {
    held = await takeSessionLease(await holder.get(), lease);
    return held;
  };
  return {
    mode: 'lease',
    tryAcquire: take,
    async confirm() {
      if (!held) return false;
      try {
        return await take();
      } catch {
        held = false;
        return false;
      }
    },
    async release() {
      const session = holder.current();
      if (!session) return;
      try {
        if (held) await dropSessionLease(session, lease);
      } catch {
        // the lease expires on its own
      }
      held = false;
      await holder.close();
    },
  };
}
