// `npm run bench -- scoring [runs] [signals]`: forward scoring of 1,000,000 signals (or `signals`, for a quicker
// iteration; BENCHMARKS.md is written only at the full size) on 3 horizons (1, 5, 20 bars) against the real HistData
// EURUSD 1m bars (../shared/data; skipped with a message where it is absent), on PostgreSQL (DATABASE_URL, else the
// local server). Targets: from scratch < 30 s, one new bar < 200 ms. Beside each wall time, the CPU time of the
// database backend that ran it (read from /proc: the server is local): on a machine shared with other work the wall
// time includes waiting for a core, the CPU time does not.
//   (a) from scratch: `ml.rescore_all()` into an emptied ml.signal_scores (3,000,000 rows computed from raw rows, and
//       the score summary rebuilt from them); beside it, in the same run, the rebuild it replaced (20261207020000's
//       with 20261207060000's summary triggers and index kept row by row), whose rows and summary must have the same
//       checksum;
//   (b) peer in the same run: inserting the same 3,000,000 rows, already computed, into the emptied table with its
//       key, indexes and summary triggers (the cost of the writes alone, as any bulk INSERT pays it);
//   (c) one new bar: the newest 20 real bars are held back and stored one statement each, as the live feed does; the
//       trigger enters the signals of each (the signals cover the newest bars) and exits the rows waiting on it. Every
//       other bar runs with ml.score_horizons's statistics reset to "never analysed" (as every database had them
//       before 20261207020000), so before and after alternate under the same load;
// and finally checks that the incremental result equals a rebuild from scratch (row count and a checksum of every row).
// Each phase prints its figure as soon as it is measured; the machine's load average is reported beside them.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { type Db, repos } from '@neuronetiq/db';
import { HISTDATA_ROWS, histDataFiles, importHistData, openDatabase } from './import';
import { machine, median, writeSection } from './report';

const FULL = 1_000_000;
const HELD_BACK = 20;
const runs = Math.max(1, Number(process.argv[2] ?? 1));
const SIGNALS = Math.max(1_000, Math.min(FULL, Number(process.argv[3] ?? FULL)));
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** CPU milliseconds (user + system) the database backend `pid` has used so far; NaN where /proc cannot show it. */
function backendCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

/** The statements in one transaction, with their wall time and the CPU time of the backend that ran them; the rows
 * of the last that returned any. */
async function timedSql(db: Db, ...sql: string[]): Promise<{ ms: number; cpuMs: number; rows: { n: number }[] }> {
  return db.transaction(async (tx) => {
    const [who] = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const pid = who?.pid ?? 0;
    const cpu0 = backendCpuMs(pid);
    const r = await timed(async () => {
      let rows: { n: number }[] = [];
      for (const statement of sql) {
        const got = await tx.query<{ n: number }>(statement);
        if (got.length > 0) rows = got;
      }
      return rows;
    });
    return { ms: r.ms, cpuMs: backendCpuMs(pid) - cpu0, rows: r.value };
  });
}

/** ml.rescore_all as it was before 20261208020000: 20261207020000's rebuild (now ml.rescore_rows) with the score
 * summary's INSERT trigger and the signal_scores_model_entry index kept row by row, and ml.score_day not inlinable (a
 * SET clause), as 20261207060000 left it. */
const PREVIOUS_REBUILD = [
  "ALTER FUNCTION ml.score_day(timestamptz) SET search_path = ''",
  'SELECT ml.rescore_rows() AS n',
  'ALTER FUNCTION ml.score_day(timestamptz) RESET search_path',
];
/** Row count and a checksum of every column of ml.signal_scores, and the same of ml.score_summary. */
async function checksum(db: Db): Promise<string> {
  const [row] = await db.query<{ n: number; sum: string; days: number; summary: string }>(
    `SELECT count(*)::int AS n, sum(hashtext((owner, model_id, symbol, timeframe, bar_ts, horizon_bars, decision,
       confidence, received_at, backfilled, entry_bar_ts, entry_close, exit_bar_ts, exit_close, forward_return,
       hit, position_return, weighted_return, brier)::text)::numeric)::text AS sum,
       (SELECT count(*)::int FROM ml.score_summary) AS days,
       (SELECT sum(hashtext(m::text)::numeric)::text FROM ml.score_summary m) AS summary
     FROM ml.signal_scores`,
  );
  return `${row?.n}:${row?.sum}; summary ${row?.days}:${row?.summary}`;
}

/** 1,000,000 signals of ⌈1,000,000 / bars⌉ models over the newest stored bars: decisions, confidences and receive times
 * (anywhere in the bar) spread by a hash of the bar and the model, so every run stores the same rows. */
async function storeSignals(db: Db): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    `WITH ins AS (
       INSERT INTO ml.signals_latest (owner, model_id, symbol, timeframe, bar_ts, decision, confidence, received_at)
       SELECT 'bench', 'm' || k, b.symbol, b.timeframe, b.bar_ts,
              (ARRAY['BUY', 'SELL', 'NEUTRAL'])[1 + abs(hashtext(b.bar_ts::text || k)) % 3],
              (abs(hashtext(k || b.bar_ts::text)) % 101) / 100.0,
              b.bar_ts + (abs(hashtext(b.bar_ts::text || '/' || k)) % 60) * interval '1 second'
       FROM market.ohlcv b
       CROSS JOIN generate_series(0, ceil($1::float8 / (SELECT count(*) FROM market.ohlcv))::int - 1) AS k
       ORDER BY b.bar_ts DESC, k
       LIMIT $1
       RETURNING 1)
     SELECT count(*)::int AS n FROM ins`,
    [SIGNALS],
  );
  return row?.n ?? 0;
}

async function main() {
  if (histDataFiles().length === 0) {
    console.log('scoring: skipped, ../shared/data/histdata-eurusd-m1 is absent (the benchmark needs the real bars)');
    return;
  }
  const database = await openDatabase('postgres');
  const { db } = database;
  try {
    await importHistData(async (bars) => {
      await repos.ohlcv.upsert(db, bars);
    });
    const stored = await storeSignals(db);
    if (stored !== SIGNALS) throw new Error(`stored ${stored} signals, expected ${SIGNALS}`);
    const heldBack = (await repos.ohlcv.find(db, { symbol: 'EURUSD', tf: '1m', limit: HELD_BACK })).reverse();
    await db.query(`DELETE FROM market.ohlcv WHERE symbol = 'EURUSD' AND timeframe = '1m' AND bar_ts >= $1`, [
      heldBack[0]?.bar_ts,
    ]);
    await db.query('VACUUM ANALYZE ml.signals_latest');
    await db.query('VACUUM ANALYZE market.ohlcv');

    const scratch: number[] = [];
    const scratchCpu: number[] = [];
    const previous: number[] = [];
    const previousCpu: number[] = [];
    const insertOnly: number[] = [];
    let rows = 0;
    let sameAsPrevious = true;
    for (let i = 0; i < runs; i++) {
      await db.query('TRUNCATE ml.signal_scores');
      const p = await timedSql(db, ...PREVIOUS_REBUILD);
      previous.push(p.ms);
      previousCpu.push(p.cpuMs);
      console.log(
        `from scratch, previous rebuild: ${fmt(p.rows[0]?.n ?? 0)} rows in ${fmt(p.ms)} ms, backend CPU ${fmt(p.cpuMs)} ms (load ${load()})`,
      );
      const before = await checksum(db);
      await db.query('TRUNCATE ml.signal_scores');
      const r = await timedSql(db, 'SELECT ml.rescore_all() AS n');
      scratch.push(r.ms);
      scratchCpu.push(r.cpuMs);
      rows = r.rows[0]?.n ?? 0;
      console.log(
        `from scratch: ${fmt(rows)} rows in ${fmt(r.ms)} ms, backend CPU ${fmt(r.cpuMs)} ms (load ${load()})`,
      );
      if ((await checksum(db)) !== before) sameAsPrevious = false;
      console.log(`same rows as the previous rebuild: ${sameAsPrevious}`);
      await db.query('DROP TABLE IF EXISTS bench_scores');
      await db.query('CREATE UNLOGGED TABLE bench_scores AS SELECT * FROM ml.signal_scores');
      await db.query('TRUNCATE ml.signal_scores');
      insertOnly.push((await timed(() => db.query('INSERT INTO ml.signal_scores SELECT * FROM bench_scores'))).ms);
      console.log(`insert only: ${fmt(insertOnly.at(-1) ?? 0)} ms`);
      await db.query('DROP TABLE bench_scores');
    }
    await db.query('VACUUM ANALYZE ml.signal_scores');

    const perBar: number[] = [];
    const perBarCpu: number[] = [];
    const unanalysedBar: number[] = [];
    const unanalysedBarCpu: number[] = [];
    let written = 0;
    for (const [i, bar] of heldBack.entries()) {
      const unanalysed = i % 2 === 0;
      // A table never analysed: no row count, no pages (what the planner then assumes is ~2,550 rows for this one).
      if (unanalysed) {
        await db.query(`UPDATE pg_class SET reltuples = -1, relpages = 0 WHERE oid = 'ml.score_horizons'::regclass`);
      } else {
        await db.query('ANALYZE ml.score_horizons');
      }
      const before = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM ml.signal_scores');
      // One transaction (the pid stays one backend): the insert, its trigger and the commit, as the live feed's.
      const t0 = performance.now();
      const cpu = await db.transaction(async (tx) => {
        const [mine] = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        const cpu0 = backendCpuMs(mine?.pid ?? 0);
        await repos.ohlcv.upsert(tx, [{ ...bar, symbol: 'EURUSD', timeframe: '1m' }]);
        return { pid: mine?.pid ?? 0, cpu0 };
      });
      const ms = performance.now() - t0;
      const cpuMs = backendCpuMs(cpu.pid) - cpu.cpu0;
      (unanalysed ? unanalysedBar : perBar).push(ms);
      (unanalysed ? unanalysedBarCpu : perBarCpu).push(cpuMs);
      const after = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM ml.signal_scores');
      written += (after[0]?.n ?? 0) - (before[0]?.n ?? 0);
      console.log(
        `one new bar ${bar.bar_ts}${unanalysed ? ' (horizons never analysed, as before)' : ''}: ${ms.toFixed(1)} ms, CPU ${cpuMs.toFixed(0)} ms`,
      );
    }
    await db.query('ANALYZE ml.score_horizons');

    const incremental = await checksum(db);
    await db.query('SELECT ml.rescore_all()');
    const same = (await checksum(db)) === incremental;
    console.log(`incremental equals rebuild: ${same}`);
    const [total] = await db.query<{ n: number; resolved: number }>(
      `SELECT count(*)::int AS n, count(exit_bar_ts)::int AS resolved FROM ml.signal_scores`,
    );

    const scratchMs = median(scratch);
    const barMs = median(perBar);
    const md = `## scoring (forward scoring of 1,000,000 signals on 3 horizons)

\`npm run bench -- scoring [runs] [signals]\` — the ${fmt(HISTDATA_ROWS)} HistData EURUSD 1m bars of \`../shared/data\`,
${fmt(SIGNALS)} signals (${Math.ceil(SIGNALS / HISTDATA_ROWS)} models, every decision, received anywhere in their bar),
horizons 1, 5 and 20 bars, on PostgreSQL 15, ${machine()}; median of ${runs} run(s). Load average (1 / 5 / 15 min) at the
end: ${load()} on ${os.cpus().length} cores, shared with other work: the figures are upper bounds.

| what | rows | median | target |
|---|---:|---:|---:|
| from scratch: \`ml.rescore_all()\` into an empty \`ml.signal_scores\` | ${fmt(rows)} | ${fmt(scratchMs)} ms (backend CPU ${fmt(median(scratchCpu))} ms) | < 30,000 ms |
| before, same run: the rebuild it replaced (summary triggers and \`signal_scores_model_entry\` kept row by row) | ${fmt(rows)} | ${fmt(median(previous))} ms (backend CPU ${fmt(median(previousCpu))} ms) | — |
| peer: one \`INSERT\` of the same rows, precomputed, into the table with its key, indexes and summary triggers | ${fmt(rows)} | ${fmt(median(insertOnly))} ms | — |
| one new bar (one \`INSERT\` into \`market.ohlcv\`; its trigger scores), ${perBar.length} of ${HELD_BACK} real bars in turn | ${fmt(written / HELD_BACK)} new rows per bar + exits | ${barMs.toFixed(1)} ms (max ${Math.max(...perBar).toFixed(1)} ms; backend CPU ${median(perBarCpu).toFixed(0)} ms) | < 200 ms |
| before, same run: the other ${unanalysedBar.length} bars, \`ml.score_horizons\` never analysed | same | ${median(unanalysedBar).toFixed(1)} ms (max ${Math.max(...unanalysedBar).toFixed(1)} ms; backend CPU ${median(unanalysedBarCpu).toFixed(0)} ms) | — |

After the ${HELD_BACK} incremental bars the table held ${fmt(total?.n ?? 0)} rows (${fmt(total?.resolved ?? 0)} with their exit), and a
rebuild from scratch ${same ? 'had the same row count and checksum (score rows and summary)' : 'DIFFERED (row count or checksum)'}; the rebuild and the one it replaced
${sameAsPrevious ? 'wrote the same rows (row count and checksum)' : 'DIFFERED (row count or checksum)'}. From scratch ${scratchMs < 30_000 ? 'meets' : 'misses'}
the target; one new bar ${barMs < 200 ? 'meets' : 'misses'} it.`;
    console.log(md);
    if (SIGNALS === FULL) writeSection('scoring', md);
  } finally {
    await database.close();
  }
}

await main();
