import {
  type MarketplaceModelsQuery,
  type MarketplaceSignal,
  type MarketplaceSort,
  METRIC_PERIODS,
  METRIC_SORTS,
  type MetricSort,
  type PerformanceMetrics,
  SCORE_SOURCES,
  type Timeframe,
  type TrackRecordSummary,
  type Vendor,
} from '@neuronetiq/contracts';
import type { Db, Queryable } from '../client';
import { METRIC_COLUMNS, metricsCtes, summaryMetricsCtes } from './metrics';

/** The same window as GET /api/performance's default: each series' newest 200 scored signals. */
export const MARKETPLACE_TRACK_RECORD_WINDOW = 200;

/** One model as the listing query returns it, before the api shapes it into the wire type. */
export interface MarketplaceModelRow {
  owner: string;
  model_id: string;
  name: string;
  description: string;
  visibility: 'public' | 'private';
  created_at: string;
  series: { symbol: string; tf: Timeframe }[];
  signal_count: number;
  last_signal_at: string | null;
  live: TrackRecordSummary;
  backfilled: TrackRecordSummary;
}

/** A listed model: its row and its figures over the query's window and horizon (null: nothing resolved there). */
export interface MarketplaceModelListRow extends MarketplaceModelRow {
  metrics: Omit<PerformanceMetrics, 'period' | 'horizon_bars' | 'source'> | null;
  window_signals: number;
  /** When the median, maximum drawdown and Spearman were computed (the cron's pass); null: on this request. */
  row_figures_as_of: string | null;
}

export interface SeriesRecordRow extends TrackRecordSummary {
  symbol: string;
  tf: Timeframe;
}

// Every read runs as the viewer: ml.models' RLS (public models, and the viewer's own), ml.visible_signals' rule (the
// per-series counts through ml.visible_series, which reads the stored per-day summary with the same rule) and
// the RLS of ml.signal_scores (behind ml.signal_outcomes: the 1-bar horizon's resolved rows) decide what is counted. Track records sum each series' newest scored signals, live and
// backfilled apart (a backfill must never pass for live results).
const MODELS_BASE = (filter: string) => `
m AS (
  SELECT owner, model_id, name, description, visibility, created_at FROM ml.models WHERE ${filter}
),
s AS (
  SELECT v.owner, v.model_id, v.symbol, v.timeframe, v.signals::int AS n, v.last_received_at AS last_at
  FROM ml.visible_series(ARRAY(SELECT owner FROM m), ARRAY(SELECT model_id FROM m), '-infinity') v
)`;

// The track records of the models of `from` (the listing: of its page only, as no sort reads them): per series and
// source, its newest scored signals, each read backwards along the primary key from the series' keys (the 1-bar days of
// ml.score_summary the caller may read, and the series of the signals they may read: a live score is readable exactly
// when its signal is) and limited, under the caller's RLS, instead of ranking every score row of the models.
const RECORDS = (from: string) => `
rk AS MATERIALIZED (
  SELECT k.owner, k.model_id, k.symbol, k.timeframe, k.backfilled
  FROM ml.score_summary k JOIN ${from} USING (owner, model_id) WHERE k.horizon_bars = 1
  UNION
  SELECT s.owner, s.model_id, s.symbol, s.timeframe, false FROM s JOIN ${from} USING (owner, model_id)
),
r AS (
  SELECT k.owner, k.model_id, k.symbol, k.timeframe, k.backfilled,
         count(*)::int AS scored, count(o.hit)::int AS resolved, (count(*) FILTER (WHERE o.hit))::int AS hits,
         coalesce(sum(o.return) FILTER (WHERE o.decision <> 'NEUTRAL'), 0)::float8 AS return_sum,
         (count(*) FILTER (WHERE o.decision <> 'NEUTRAL'))::int AS calls
  FROM rk k
  CROSS JOIN LATERAL (
    SELECT o.hit, o.return, o.decision FROM ml.signal_outcomes o
    WHERE o.owner = k.owner AND o.model_id = k.model_id AND o.symbol = k.symbol AND o.timeframe = k.timeframe
      AND o.backfilled = k.backfilled
    ORDER BY o.bar_ts DESC LIMIT ${MARKETPLACE_TRACK_RECORD_WINDOW}
  ) o
  GROUP BY k.owner, k.model_id, k.symbol, k.timeframe, k.backfilled
)`;

const MODELS_CTE = (filter: string) => `${MODELS_BASE(filter)}, ${RECORDS('m')}`;

const record = (alias: string, backfilled: boolean) => `json_build_object(
  'scored', coalesce(sum(${alias}.scored), 0), 'resolved', coalesce(sum(${alias}.resolved), 0),
  'hits', coalesce(sum(${alias}.hits), 0),
  'hit_rate', CASE WHEN sum(${alias}.resolved) > 0 THEN sum(${alias}.hits)::float8 / sum(${alias}.resolved) END,
  'mean_return', CASE WHEN sum(${alias}.calls) > 0 AND sum(${alias}.resolved) > 0
                      THEN sum(${alias}.return_sum) / sum(${alias}.calls) END,
  'backfilled', ${backfilled})`;

const ISO = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const MODEL_COLUMNS = `m.owner, m.model_id, m.name, m.description, m.visibility, ${ISO('m.created_at')} AS created_at,
  (SELECT coalesce(json_agg(json_build_object('symbol', s.symbol, 'tf', s.timeframe) ORDER BY s.last_at DESC), '[]')
   FROM s WHERE s.owner = m.owner AND s.model_id = m.model_id) AS series,
  (SELECT coalesce(sum(s.n), 0)::int FROM s WHERE s.owner = m.owner AND s.model_id = m.model_id) AS signal_count,
  (SELECT ${ISO('max(s.last_at)')} FROM s WHERE s.owner = m.owner AND s.model_id = m.model_id) AS last_signal_at`;

const RECORD_COLUMNS = (alias: string) => `
  (SELECT ${record('r', false)} FROM r
   WHERE r.owner = ${alias}.owner AND r.model_id = ${alias}.model_id AND NOT r.backfilled) AS live,
  (SELECT ${record('r', true)} FROM r
   WHERE r.owner = ${alias}.owner AND r.model_id = ${alias}.model_id AND r.backfilled) AS backfilled`;

const MODEL_ROWS = `SELECT ${MODEL_COLUMNS}, ${RECORD_COLUMNS('m')} FROM m`;

// Figure sorts read the window's figures (`mw`, NULL when no call resolved: such models go last either way); the others
// the listing's own columns. Ties are broken by owner and model id, so the order is total and pages never overlap.
const SORT_COLUMNS: Record<MarketplaceSort, string> = {
  ...(Object.fromEntries(METRIC_SORTS.map((k) => [k, `(x.metrics ->> '${k}')::float8`])) as Record<MetricSort, string>),
  signals: 'x.window_signals',
  signal_count: 'x.signal_count',
  last_signal_at: 'x.last_signal_at',
  name: 'lower(x.name)',
};

// The figures that do not compose from per-day sums.
const ROW_FIGURES = ['median_return', 'max_drawdown', 'spearman'] as const;
type RowFigure = (typeof ROW_FIGURES)[number];
const ROW_SORTS: ReadonlySet<MarketplaceSort> = new Set(ROW_FIGURES);

interface RowFigureRow extends Pick<PerformanceMetrics, 'owner' | 'model_id' | RowFigure> {
  model_id: string;
  as_of: string | null;
}

type FigureQuery = Parameters<typeof metricsCtes>[0];

/**
 * The median, maximum drawdown and Spearman of `models` (null: every model the viewer may list), over the query's
 * window, horizon and source: the stored ones (ml.model_row_figures) for the models the viewer reads delayed when
 * `stored` allows, computed from the score rows under the viewer's RLS for the rest.
 */
async function rowFiguresFor(
  tx: Queryable,
  q: FigureQuery,
  nowMs: number,
  stored: boolean,
  models: readonly { owner: string; model_id: string }[] | null,
): Promise<RowFigureRow[]> {
  const out: RowFigureRow[] = [];
  let rest = models;
  if (stored) {
    const params: unknown[] = [q.horizon, q.source === 'backfilled', q.period];
    const only = models
      ? `AND (f.owner, f.model_id) IN (SELECT * FROM unnest($${params.push(models.map((m) => m.owner))}::text[],
                                                          $${params.push(models.map((m) => m.model_id))}::text[]))`
      : '';
    const kept = await tx.query<RowFigureRow>(
      `SELECT f.owner, f.model_id, f.median_return, f.max_drawdown, f.spearman, ${ISO('f.as_of')} AS as_of
       FROM ml.model_row_figures f
       WHERE f.horizon_bars = $1 AND f.backfilled = $2 AND f.period = $3 ${only}
         AND (f.owner, f.model_id) NOT IN (SELECT l.owner, l.model_id FROM ml.request_live_models() l)`,
      params,
    );
    out.push(...kept);
    const have = new Set(kept.map((f) => `${f.owner}\u0000${f.model_id}`));
    if (models) rest = models.filter((m) => !have.has(`${m.owner}\u0000${m.model_id}`));
    else if (kept.length > 0) {
      // Every other model the viewer may list: computed below, restricted to them.
      const all = await tx.query<{ owner: string; model_id: string }>(
        `SELECT owner, model_id FROM ml.models WHERE visibility = 'public'`,
      );
      rest = all.filter((m) => !have.has(`${m.owner}\u0000${m.model_id}`));
    }
  }
  if (rest && rest.length === 0) return out;
  const params: unknown[] = [];
  const ctes = metricsCtes({ ...q, ...(rest ? { models: rest } : {}) }, nowMs, params);
  const computed = await tx.query<RowFigureRow>(
    `WITH ${ctes} SELECT owner, model_id, median_return, max_drawdown, spearman, NULL AS as_of FROM ma`,
    params,
  );
  return out.concat(computed);
}

export const marketplaceRepository = {
  /**
   * Public models matching the query, one page, and how many match in all; each with its figures over the query's
   * window and horizon (docs/metrics.md), computed for every listed model in the same statement.
   */
  async list(
    tx: Queryable,
    q: MarketplaceModelsQuery & { nowMs: number },
  ): Promise<{ rows: MarketplaceModelListRow[]; total: number }> {
    const params: unknown[] = [];
    const filter = [`visibility = 'public'`];
    if (q.owner) filter.push(`owner = $${params.push(q.owner)}`);
    if (q.q) {
      const like = `%${q.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const p = `$${params.push(like)}`;
      filter.push(`(lower(model_id) LIKE ${p} OR lower(name) LIKE ${p} OR lower(owner) LIKE ${p})`);
    }
    const tf = q.timeframe ?? q.tf;
    const outer: string[] = [];
    if (q.symbol || tf) {
      const conds = ['s.owner = x.owner', 's.model_id = x.model_id'];
      if (q.symbol) conds.push(`s.symbol = $${params.push(q.symbol)}`);
      if (tf) conds.push(`s.timeframe = $${params.push(tf)}`);
      outer.push(`EXISTS (SELECT 1 FROM s WHERE ${conds.join(' AND ')})`);
    }
    const filterParams = params.length;
    const figureQuery = {
      group: 'model',
      period: q.window,
      horizon: q.horizon,
      source: q.source,
      owner: q.owner,
      symbol: q.symbol,
      tf,
    } as const;
    // Figures that compose from sums come from the stored per-day summary for every model. The median, maximum drawdown
    // and Spearman need every score row in order: for a model the viewer reads delayed, with no symbol or timeframe
    // narrowing the listing, they are the cron's stored figures (ml.model_row_figures, with their as_of); for the rest
    // they are computed from the score rows, for the returned page only unless the sort is one of them.
    const rowSort = ROW_SORTS.has(q.sort);
    const storedUsable = !q.symbol && !tf;
    const figures = summaryMetricsCtes(figureQuery, q.nowMs, params, 'm');
    let rowFigures = '';
    if (rowSort) {
      const found = await rowFiguresFor(tx, figureQuery, q.nowMs, storedUsable, null);
      const col = <K extends keyof RowFigureRow>(k: K) => found.map((f) => f[k]);
      rowFigures = `,
      rf AS (
        SELECT * FROM unnest($${params.push(col('owner'))}::text[], $${params.push(col('model_id'))}::text[],
          $${params.push(col('median_return'))}::float8[], $${params.push(col('max_drawdown'))}::float8[],
          $${params.push(col('spearman'))}::float8[], $${params.push(col('as_of'))}::timestamptz[])
          AS f(owner, model_id, median_return, max_drawdown, spearman, as_of)
      )`;
    }
    const direction = q.order === 'asc' ? 'ASC' : 'DESC';
    const sort = `${SORT_COLUMNS[q.sort]} ${direction} NULLS LAST, x.owner, x.model_id`;
    // With a figure sort on a row figure, the stored or computed ones (`rf`) replace the summary's NULLs before sorting.
    const figureColumns = METRIC_COLUMNS.split(',')
      .map((c) => c.trim())
      .map((c) => ((ROW_FIGURES as readonly string[]).includes(c) && rowSort ? `rf.${c}` : `mw.${c}`))
      .join(', ');
    const sql = `WITH ${MODELS_BASE(filter.join(' AND '))}, ${figures}${rowFigures},
      mj AS (
        SELECT f.owner, f.model_id, row_to_json(f) AS metrics, ${rowSort ? 'rf.as_of' : 'NULL::timestamptz AS as_of'}
        FROM (SELECT ${figureColumns}
              FROM mw ${rowSort ? 'LEFT JOIN rf ON rf.owner = mw.owner AND rf.model_id = mw.model_id' : ''}) f
        ${rowSort ? 'LEFT JOIN rf ON rf.owner = f.owner AND rf.model_id = f.model_id' : ''}
      ),
      x AS (
        SELECT t.*, mj.metrics, coalesce(mc.signals, 0) AS window_signals, ${ISO('mj.as_of')} AS row_figures_as_of
        FROM (SELECT ${MODEL_COLUMNS} FROM m) t
        LEFT JOIN mj ON mj.owner = t.owner AND mj.model_id = t.model_id
        LEFT JOIN mc ON mc.owner = t.owner AND mc.model_id = t.model_id
      ),
      pg AS (
        SELECT x.*, count(*) OVER ()::int AS total FROM x
        ${outer.length ? `WHERE ${outer.join(' AND ')}` : ''}
        ORDER BY ${sort}
        LIMIT $${params.push(q.limit)} OFFSET $${params.push(q.offset)}
      ),
      ${RECORDS('pg')}
      SELECT x.*, ${RECORD_COLUMNS('x')} FROM pg x ORDER BY ${sort}`;
    // The figures sort every visible score row a few times (ranks, running sums); PostgreSQL's default 4 MB of sort
    // memory spills them to disk from about 100,000 rows, which roughly doubled the listing's time (tmp bench, 200k
    // scores). Transaction-local, like the request's role.
    await tx.query(`SELECT set_config('work_mem', '64MB', true)`);
    const rows = await tx.query<MarketplaceModelListRow & { total: number }>(sql, params);
    let total = rows[0]?.total;
    if (total === undefined) {
      // An offset past the end returns no row to carry the total: count on its own.
      const [c] = await tx.query<{ n: number }>(
        `WITH ${MODELS_CTE(filter.join(' AND '))} SELECT count(*)::int AS n FROM m x
         ${outer.length ? `WHERE ${outer.join(' AND ')}` : ''}`,
        params.slice(0, filterParams),
      );
      total = c?.n ?? 0;
    }
    const page = rows.map(({ total: _t, ...row }) => row);
    const scored = page.filter((r) => r.metrics);
    if (!rowSort && scored.length > 0) {
      const found = await rowFiguresFor(tx, figureQuery, q.nowMs, storedUsable, scored);
      const byModel = new Map(found.map((f) => [`${f.owner}\u0000${f.model_id}`, f]));
      for (const r of scored) {
        const f = byModel.get(`${r.owner}\u0000${r.model_id}`);
        if (r.metrics) for (const k of ROW_FIGURES) r.metrics[k] = f?.[k] ?? null;
        r.row_figures_as_of = f?.as_of ?? null;
      }
    }
    return { rows: page, total };
  },

  /** One model the viewer may see (a public one, or their own), or null. */
  async get(tx: Queryable, owner: string, modelId: string): Promise<MarketplaceModelRow | null> {
    const rows = await tx.query<MarketplaceModelRow>(
      `WITH ${MODELS_CTE('owner = $1 AND model_id = $2')} ${MODEL_ROWS}`,
      [owner, modelId],
    );
    return rows[0] ?? null;
  },

  /** A model's track record per series, live and backfilled apart. */
  async seriesRecords(tx: Queryable, owner: string, modelId: string): Promise<SeriesRecordRow[]> {
    return tx.query<SeriesRecordRow>(
      `WITH ${MODELS_CTE('owner = $1 AND model_id = $2')}
       SELECT r.symbol, r.timeframe AS tf, r.backfilled, r.scored, r.resolved, r.hits,
              CASE WHEN r.resolved > 0 THEN r.hits::float8 / r.resolved END AS hit_rate,
              CASE WHEN r.calls > 0 AND r.resolved > 0 THEN r.return_sum / r.calls END AS mean_return
       FROM r ORDER BY r.symbol, r.timeframe, r.backfilled`,
      [owner, modelId],
    );
  },

  /** A model's newest signals the viewer may see. */
  async latestSignals(tx: Queryable, owner: string, modelId: string, limit: number): Promise<MarketplaceSignal[]> {
    return tx.query<MarketplaceSignal>(
      `SELECT owner, model_id, symbol, timeframe, ${ISO('bar_ts')} AS bar_ts, decision,
              confidence::float8 AS confidence, meta, ${ISO('received_at')} AS received_at, late, backfilled
       FROM ml.visible_signals WHERE owner = $1 AND model_id = $2
       ORDER BY bar_ts DESC, symbol, timeframe LIMIT $3`,
      [owner, modelId, limit],
    );
  },

  /**
   * The cron's pass over the stored signal summary (ml.refresh_signal_summary): the days written since the last pass,
   * recomputed from the signal rows. Returns how many days. Readers are exact without it; it keeps them fast.
   */
  async refreshSignalSummary(db: Queryable): Promise<number> {
    const [row] = await db.query<{ n: number }>('SELECT ml.refresh_signal_summary() AS n');
    return row?.n ?? 0;
  },

  /**
   * The cron's pass over ml.model_row_figures: every public model's median, maximum drawdown and Spearman for every
   * scored horizon, source and period, as the anonymous role reads the score rows now (the same statement as on a
   * request, run as that role), stored with that instant as their as_of. Returns how many rows it stored.
   */
  async refreshRowFigures(db: Db): Promise<number> {
    const { asOf, rows } = await db.asRequest({ role: 'anon', claims: {} }, async (tx) => {
      await tx.query(`SELECT set_config('work_mem', '64MB', true)`);
      const [now] = await tx.query<{ ms: number; at: string }>(
        `SELECT (extract(epoch FROM now()) * 1000)::float8 AS ms, now()::text AS at`,
      );
      const nowMs = Math.floor(now?.ms ?? Date.now());
      const horizons = await tx.query<{ h: number }>('SELECT horizon_bars AS h FROM ml.score_horizons ORDER BY 1');
      const found: (RowFigureRow & { horizon: number; backfilled: boolean; period: string })[] = [];
      for (const { h } of horizons) {
        for (const source of SCORE_SOURCES) {
          for (const period of METRIC_PERIODS) {
            const params: unknown[] = [];
            const ctes = metricsCtes({ group: 'model', period, horizon: h, source }, nowMs, params);
            const figures = await tx.query<RowFigureRow>(
              `WITH ${ctes} SELECT owner, model_id, median_return, max_drawdown, spearman FROM ma`,
              params,
            );
            for (const f of figures) found.push({ ...f, horizon: h, backfilled: source === 'backfilled', period });
          }
        }
      }
      return { asOf: now?.at, rows: found };
    });
    await db.transaction(async (tx) => {
      await tx.query('DELETE FROM ml.model_row_figures');
      await tx.query(
        `INSERT INTO ml.model_row_figures
           (owner, model_id, horizon_bars, backfilled, period, as_of, median_return, max_drawdown, spearman)
         SELECT f.owner, f.model_id, f.h, f.b, f.p, $10::timestamptz, f.med, f.dd, f.sp
         FROM unnest($1::text[], $2::text[], $3::int[], $4::boolean[], $5::text[], $6::float8[], $7::float8[],
                     $8::float8[]) AS f(owner, model_id, h, b, p, med, dd, sp)
         WHERE $9::int >= 0`,
        [
          rows.map((r) => r.owner),
          rows.map((r) => r.model_id),
          rows.map((r) => r.horizon),
          rows.map((r) => r.backfilled),
          rows.map((r) => r.period),
          rows.map((r) => r.median_return),
          rows.map((r) => r.max_drawdown),
          rows.map((r) => r.spearman),
          rows.length,
          asOf,
        ],
      );
    });
    return rows.length;
  },

  /** The platform's delay in seconds (app.signal_delay_seconds) after which non-subscribers read a signal. */
  async signalDelaySeconds(tx: Queryable): Promise<number> {
    const [row] = await tx.query<{ s: number }>('SELECT app.signal_delay_seconds() AS s');
    return row?.s ?? 0;
  },

  /** Attribution of each owner from their user's provider identity; owners without one get a bare entry. */
  async vendors(tx: Queryable, owners: readonly string[]): Promise<Map<string, Vendor>> {
    const unique = [...new Set(owners)];
    const rows = unique.length
      ? await tx.query<{
          owner: string;
          provider: 'github' | 'google';
          login: string | null;
          avatar_url: string | null;
          display_name: string | null;
        }>('SELECT owner, provider, login, avatar_url, display_name FROM app.vendor_identities($1::text[])', [unique])
      : [];
    const found = new Map(rows.map((r) => [r.owner, r]));
    return new Map(
      unique.map((owner) => {
        const r = found.get(owner);
        return [
          owner,
          {
            owner,
            provider: r?.provider ?? null,
            github_login: r?.login ?? null,
            avatar_url: r?.avatar_url ?? null,
            profile_url: r?.login ? `https://github.com/${r.login}` : null,
            display_name: r?.display_name ?? null,
          },
        ];
      }),
    );
  },

  /** Whether the owner exists at all (a user or any model, public or not, is enough to be a vendor page). */
  async ownerExists(tx: Queryable, owner: string): Promise<boolean> {
    const rows = await tx.query<{ found: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM app.vendor_identities(ARRAY[$1]))
           OR EXISTS (SELECT 1 FROM ml.models WHERE owner = $1 AND visibility = 'public') AS found`,
      [owner],
    );
    return rows[0]?.found === true;
  },
};
