import { createHash } from 'node:crypto';
import pg from 'pg';

/** The roles of Supabase (and of our compatibility migration) a request runs as. */
export type DbRole = 'anon' | 'authenticated' | 'service_role';

/** Who a request is, for the database: its role and the JWT-shaped claims that RLS policies read. */
export interface RequestContext {
  role: DbRole;
  claims: Record<string, unknown>;
}

/** A statement runner: the pool itself or one transaction. Driver types never leave this package. */
export interface Queryable {
  /**
   * Runs one statement. Inside `asRequest`, `{ commit: true }` marks the transaction's last statement: it travels
   * with the COMMIT in the same round trip (the transaction is then over).
   */
  query<Row = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
    options?: { commit?: boolean },
  ): Promise<Row[]>;
}

export interface Db extends Queryable {
  /** Runs `fn` in one transaction as the connecting (owner) user: migrations, the api's internal bookkeeping, jobs. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` in one transaction that first sets `request.jwt.claims` and the role, as PostgREST does, so that
   * row-level security is enforced by the database for everything `fn` runs. The BEGIN and the role travel with the
   * first statement, and a statement marked `{ commit: true }` with the COMMIT, when they have no array parameters.
   */
  asRequest<T>(ctx: RequestContext, fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Opens a dedicated session (for session-level advisory locks, LISTEN). Release it with `release()`. */
  session(): Promise<Queryable & { release(): void }>;
  end(): Promise<void>;
}

export interface DbOptions {
  /** Pool size; the api wants ~10, jobs fewer. */
  max?: number;
  /** Application name shown in pg_stat_activity. */
  applicationName?: string;
  statementTimeoutMs?: number;
  /**
   * Use named prepared statements (parsed and planned once per connection). `auto`: on for PostgreSQL, off for the
   * embedded PGlite, whose one backend is shared by every client connection (names would collide). Set false behind
   * a transaction-mode pooler (Supabase's port 6543).
   */
  prepare?: boolean | 'auto';
}

// Timestamps as ISO-8601 UTC strings (the wire format), int8 counts as numbers; numeric stays a string (exact).
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 1184 || oid === 1114) {
      return (v: string) => new Date(oid === 1114 ? `${v}Z` : v).toISOString();
    }
    if (oid === 20) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

/**
 * Ends a request's transaction. The role and claims were set for the transaction only (`set_config(…, true)`), but a
 * session-level `SET ROLE` run inside it would outlive its COMMIT: the connection goes back to the pool as the login
 * role with no claims whatever the request ran (same round trip as the COMMIT; a rollback undoes such a SET anyway).
 */
const COMMIT = 'COMMIT;\nRESET ROLE;\nRESET request.jwt.claims';

/**
 * `pg.escapeLiteral`'s result (quotes and backslashes doubled; ` E'…'` when there is a backslash), made with two
 * native replacements instead of its loop of string appends: the driver's took 11–27 ms for the 200 kB JSON of a
 * 1,000-signal batch, this well under 0.1 ms.
 */
export function escapeLiteral(s: string): string {
  const quoted = `'${s.replaceAll("'", "''")}'`;
  return s.includes('\\') ? ` E${quoted.replaceAll('\\', '\\\\')}` : quoted;
}

/** Renders a scalar parameter as a SQL literal, escaped as by the driver (objects as JSON). */
function literal(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number' || typeof v === 'bigint') return escapeLiteral(String(v));
  if (typeof v === 'string') return escapeLiteral(v);
  if (v instanceof Date) return escapeLiteral(v.toISOString());
  // Statements with arrays are always bound as parameters (see asRequest), never inlined.
  if (Array.isArray(v)) throw new Error('array parameters are bound, not inlined');
  return escapeLiteral(JSON.stringify(v));
}

/** `sql` with `$1…$n` replaced by the literals of `params` (our statements hold no `$n` inside strings). */
export function inline(sql: string, params: readonly unknown[] = []): string {
  return sql.replace(/\$(\d+)(?!\d)/g, (m, n: string) => {
    const i = Number(n) - 1;
    if (i < 0 || i >= params.length) throw new Error(`statement refers to ${m} but has ${params.length} parameters`);
    return literal(params[i]);
  });
}

export function createDb(connectionString: string, options: DbOptions = {}): Db {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'neuronetiq',
    types: types as unknown as pg.CustomTypesConfig,
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
  });
  // An idle client's error (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  // Nor may a checked-out one's: a restart sends FATAL 57P01 to every backend, also to connections a transaction or a
  // request holds between two statements, where no query is running to receive it and the client emits 'error'. The
  // holder's next statement then fails with a connection error (answered 503, retried), and release drops the client.
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });

  // What kind of server this is, learnt from the first connection: PGlite (embedded) or PostgreSQL.
  let embedded: boolean | undefined;
  const detect = async (c: pg.PoolClient | pg.Pool): Promise<boolean> => {
    if (embedded === undefined) {
      const r = await c.query<{ v: string }>('SELECT version() AS v');
      embedded = /wasm|emscripten/i.test(r.rows[0]?.v ?? '');
    }
    return embedded;
  };
  const usePrepared = (isEmbedded: boolean) =>
    options.prepare === undefined || options.prepare === 'auto' ? !isEmbedded : options.prepare;
  const names = new Map<string, string>();
  const nameOf = (sql: string) => {
    let name = names.get(sql);
    if (!name) {
      name = `nq_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
      names.set(sql, name);
    }
    return name;
  };

  const run = async (c: pg.PoolClient | pg.Pool, sql: string, params?: readonly unknown[]) => {
    const named = params !== undefined && usePrepared(embedded ?? (await detect(c)));
    return named
      ? c.query({ name: nameOf(sql), text: sql, values: params as unknown[] })
      : c.query(sql, params as unknown[] | undefined);
  };
  const wrap = (c: pg.PoolClient): Queryable => ({
    async query<Row>(sql: string, params?: readonly unknown[]) {
      return (await run(c, sql, params)).rows as Row[];
    },
  });

  async function inTransaction<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }

  return {
    // The pglite-socket multiplexer keeps transactions whole but may interleave the extended-protocol messages of
    // concurrent autocommit statements ('portal "" cannot be run'): on the embedded database every statement gets
    // its own transaction.
    async query<Row>(sql: string, params?: readonly unknown[]) {
      if (embedded ?? (await detect(pool))) {
        return inTransaction(async (c) => (await run(c, sql, params)).rows as Row[]);
      }
      return (await run(pool, sql, params)).rows as Row[];
    },
    transaction: (fn) => inTransaction((c) => fn(wrap(c))),
    async asRequest(ctx, fn) {
      const enterSql = `SELECT set_config('request.jwt.claims', ${escapeLiteral(JSON.stringify({ ...ctx.claims, role: ctx.role }))}, true), set_config('role', ${escapeLiteral(ctx.role)}, true)`;
      const client = await pool.connect();
      const t: { state: 'idle' | 'open' | 'done' } = { state: 'idle' };
      let broken = false;
      // Statements without array parameters (set-up, idempotency bookkeeping, simple reads) ride with BEGIN/COMMIT as
      // one simple-protocol query, their parameters inlined as literals escaped by the driver. Writes with arrays go
      // as prepared statements: measured with 32 concurrent single-signal stores, PostgreSQL's parse and plan of the
      // inlined upsert cost more (2,832/s) than the extra round trip for BEGIN does (3,205/s).
      const tx: Queryable = {
        async query<Row>(sql: string, params?: readonly unknown[], opts?: { commit?: boolean }) {
          if (t.state === 'done') throw new Error('this request transaction is already committed');
          const commit = opts?.commit === true;
          const scalar = !params || params.every((p) => !Array.isArray(p));
          if (scalar && (t.state === 'idle' || commit)) {
            const head = t.state === 'idle' ? ['BEGIN', enterSql] : [];
            const parts = [...head, inline(sql, params), ...(commit ? [COMMIT] : [])];
            t.state = 'open';
            const results = (await client.query(parts.join(';\n'))) as unknown as pg.QueryResult[];
            if (commit) t.state = 'done';
            return (results[head.length]?.rows ?? []) as Row[];
          }
          if (t.state === 'idle') {
            t.state = 'open';
            await client.query(`BEGIN; ${enterSql}`);
          }
          const rows = (await run(client, sql, params)).rows as Row[];
          if (commit) {
            await client.query(COMMIT);
            t.state = 'done';
          }
          return rows;
        },
      };
      try {
        const result = await fn(tx);
        if (t.state === 'open') await client.query(COMMIT);
        t.state = 'done';
        return result;
      } catch (err) {
        if (t.state === 'open') {
          try {
            await client.query('ROLLBACK');
          } catch {
            broken = true;
          }
        }
        throw err;
      } finally {
        client.release(broken);
      }
    },
    async session() {
      const client = await pool.connect();
      // A session outlives requests: if its backend dies while idle, the error must not crash the process.
      const onError = () => {};
      client.on('error', onError);
      return {
        ...wrap(client),
        release: () => {
          client.off('error', onError);
          client.release();
        },
      };
    },
    end: () => pool.end(),
  };
}

/**
 * A statement runner whose every statement is a transaction of its own as the service role, in one round trip (BEGIN,
 * role, statement, COMMIT): for what the api does outside a request (key lookup, the event-log tail), since its login
 * role reads no table by itself.
 */
export function serviceStatements(db: Db): Queryable {
  return {
    query: (sql, params) =>
      db.asRequest({ role: 'service_role', claims: {} }, (tx) => tx.query(sql, params, { commit: true })),
  };
}

/** True for errors that mean "the database is not reachable right now" (retry later), not "the statement is wrong". */
export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code ?? '';
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P03', '08000', '08003', '08006'].includes(code) ||
    /Connection terminated|connect ECONNREFUSED/i.test(String((err as Error | null)?.message ?? ''))
  );
}

/** SQLSTATE of a database error, if any. */
export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}
