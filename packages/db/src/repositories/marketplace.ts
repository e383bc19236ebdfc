import {
  type MarketplaceModelsQuery,
  type MarketplaceSignal,
  type MarketplaceSort,
  METRIC_SORTS,
  type MetricSort,
  type PerformanceMetrics,
  type Timeframe,
  type TrackRecordSummary,
  type Vendor,
} from '@neuronetiq/contracts';
import type { Queryable } from '../client';
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
}

export interface SeriesRecordRow extends TrackRecordSummary {
  symbol: string;
  tf: Timeframe;
}

// Every read runs as the viewer: ml.models' RLS (public models, and the viewer's own), ml.visible_signals' rule and
// the RLS of ml.signal_scores (behind ml.signal_outcomes: the 1-bar horizon's resolved rows) decide what is counted. Track records sum each series' newest scored signals, live and
// backfilled apart (a backfill must never pass for live results).
const MODELS_BASE = (filter: string) => `
m AS (
  SELECT owner, model_id, name, description, visibility, created_at FROM ml.models WHERE ${filter}
),
s AS (
  SELECT v.owner, v.model_id, v.symbol, v.timeframe, count(*)::int AS n, max(v.received_at) AS last_at
  FROM ml.visible_signals v JOIN m USING (owner, model_id)
  GROUP BY v.owner, v.model_id, v.symbol, v.timeframe
)`;

// The track records of the models of `from` (the listing: of its page only, as no sort reads them).
const RECORDS = (from: string) => `
w AS (
  SELECT o.owner, o.model_id, o.symbol, o.timeframe, o.backfilled, o.hit, o.return, o.decision,
         row_number() OVER (PARTITION BY o.owner, o.model_id, o.symbol, o.timeframe, o.backfilled
                            ORDER BY o.bar_ts DESC) AS rn
  FROM ml.signal_outcomes o
  JOIN ${from} USING (owner, model_id)
),
r AS (
  SELECT owner, model_id, symbol, timeframe, backfilled,
         count(*)::int AS scored, count(hit)::int AS resolved, (count(*) FILTER (WHERE hit))::int AS hits,
         coalesce(sum(return) FILTER (WHERE decision <> 'NEUTRAL'), 0)::float8 AS return_sum,
         (count(*) FILTER (WHERE decision <> 'NEUTRAL'))::int AS calls
  FROM w WHERE rn <= ${MARKETPLACE_TRACK_RECORD_WINDOW}
  GROUP BY owner, model_id, symbol, timeframe, backfilled
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
    // Figures that compose from sums come from the stored per-day summary for every model; the median, maximum
    // drawdown and Spearman need every score row in order, so they are read for the returned page only, and a sort
    // on one of them computes every model's figures from the score rows (slow at scale: BENCHMARKS.md).
    const fromRows = ROW_SORTS.has(q.sort);
    const figures = fromRows
      ? metricsCtes(figureQuery, q.nowMs, params)
      : summaryMetricsCtes(figureQuery, q.nowMs, params, 'm');
    const direction = q.order === 'asc' ? 'ASC' : 'DESC';
    const sort = `${SORT_COLUMNS[q.sort]} ${direction} NULLS LAST, x.owner, x.model_id`;
    const sql = `WITH ${MODELS_BASE(filter.join(' AND '))}, ${figures},
      mj AS (SELECT f.owner, f.model_id, row_to_json(f) AS metrics FROM (SELECT ${METRIC_COLUMNS} FROM mw) f),
      x AS (
        SELECT t.*, mj.metrics, coalesce(mc.signals, 0) AS window_signals
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
    if (!fromRows && scored.length > 0) {
      const rowParams: unknown[] = [];
      const ctes = metricsCtes({ ...figureQuery, models: scored }, q.nowMs, rowParams);
      const found = await tx.query<Pick<PerformanceMetrics, 'owner' | 'model_id' | RowFigure>>(
        `WITH ${ctes} SELECT owner, model_id, median_return, max_drawdown, spearman FROM ma`,
        rowParams,
      );
      const byModel = new Map(found.map((f) => [`${f.owner}\u0000${f.model_id}`, f]));
      for (const r of scored) {
        const f = byModel.get(`${r.owner}\u0000${r.model_id}`);
        if (r.metrics) for (const k of ROW_FIGURES) r.metrics[k] = f?.[k] ?? null;
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
