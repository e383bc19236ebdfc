import type {
  CurvePoint,
  PerformanceCurveQuery,
  PerformanceMetrics,
  PerformanceMetricsQuery,
} from '@neuronetiq/contracts';
import { PROVISIONAL_BELOW_RESOLVED } from '@neuronetiq/contracts';
import type { Queryable } from '../client';

const PERIOD_DAYS = { '7d': 7, '30d': 30, all: null } as const;

/** Start of a period ending at `nowMs`; null for all time. */
function periodStart(period: keyof typeof PERIOD_DAYS, nowMs: number): string {
  const days = PERIOD_DAYS[period];
  return days === null ? '-infinity' : new Date(nowMs - days * 86_400_000).toISOString();
}

// Seconds in a year of 365.25 days: Sharpe is annualised on the calendar, as markets that never close (crypto) are;
// see docs/metrics.md.
const YEAR_S = 31_557_600;
// The 97.5th percentile of the standard normal: a two-sided 95% Wilson interval.
const Z95 = 1.959963984540054;

/**
 * The resolved score rows of one horizon, period and source that the caller may see (RLS of ml.signal_scores), with
 * `g` the group (a model, or with `vendor` all of an owner's models), ranked and accumulated per group in entry order.
 */
function scoredRows(
  q: Pick<PerformanceMetricsQuery, 'horizon' | 'source' | 'owner' | 'model_id' | 'symbol' | 'tf'> & {
    group: 'model' | 'vendor';
    models?: readonly { owner: string; model_id: string }[];
  },
  since: string,
  params: unknown[],
): string {
  const where = [
    `o.horizon_bars = $${params.push(q.horizon)}`,
    'o.exit_bar_ts IS NOT NULL',
    `o.backfilled = $${params.push(q.source === 'backfilled')}`,
    `o.entry_bar_ts >= $${params.push(since)}`,
  ];
  if (q.owner) where.push(`o.owner = $${params.push(q.owner)}`);
  if (q.model_id) where.push(`o.model_id = $${params.push(q.model_id)}`);
  if (q.symbol) where.push(`o.symbol = $${params.push(q.symbol)}`);
  if (q.tf) where.push(`o.timeframe = $${params.push(q.tf)}`);
  if (q.models) {
    const owners = `$${params.push(q.models.map((m) => m.owner))}::text[]`;
    const ids = `$${params.push(q.models.map((m) => m.model_id))}::text[]`;
    where.push(`(o.owner, o.model_id) IN (SELECT * FROM unnest(${owners}, ${ids}))`);
  }
  const model = q.group === 'model' ? 'o.model_id' : 'NULL::text';
  // Ties get their average rank (Spearman); the equity order is the entry, then the signal's key, so it is total.
  return `
    ms AS (
      SELECT o.owner, ${model} AS model_id, o.model_id AS m, o.symbol, o.timeframe, o.bar_ts, o.entry_bar_ts,
             o.position_return AS pr, o.forward_return AS fr, o.hit,
             CASE o.decision WHEN 'BUY' THEN o.confidence WHEN 'SELL' THEN 0 - o.confidence ELSE 0 END AS x
      FROM ml.signal_scores o
      WHERE ${where.join(' AND ')}
    ),
    mr AS (
      SELECT ms.*, sum(pr) OVER w AS equity,
             (rank() OVER (PARTITION BY owner, model_id ORDER BY x)
               + (count(*) OVER (PARTITION BY owner, model_id, x) - 1) / 2.0)::float8 AS rx,
             (rank() OVER (PARTITION BY owner, model_id ORDER BY fr)
               + (count(*) OVER (PARTITION BY owner, model_id, fr) - 1) / 2.0)::float8 AS ry,
             count(hit) OVER w AS resolved_so_far, count(*) FILTER (WHERE hit) OVER w AS hits_so_far,
             row_number() OVER w AS n_so_far
      FROM ms
      WINDOW w AS (PARTITION BY owner, model_id ORDER BY entry_bar_ts, bar_ts, m, symbol ROWS UNBOUNDED PRECEDING)
    ),
    md AS (
      SELECT mr.*, greatest(0, max(equity) OVER w) - equity AS dd
      FROM mr
      WINDOW w AS (PARTITION BY owner, model_id ORDER BY entry_bar_ts, bar_ts, m, symbol ROWS UNBOUNDED PRECEDING)
    )`;
}

/** The columns of a figures row (`mw`), in the order of PerformanceMetrics. */
export const METRIC_COLUMNS = `owner, model_id, timeframes, scored, resolved, hits, hit_rate, hit_rate_low, hit_rate_high,
  mean_return, median_return, sharpe, max_drawdown, profit_factor, spearman, signals, late, late_share, provisional`;

/**
 * The CTEs (`ms`, `mr`, `md`, `ma`, `mc`, `mm`, `mw`) whose last, `mw`, holds one row of figures per model (or vendor)
 * over a period ending at `nowMs` at one horizon (docs/metrics.md), under the caller's RLS. `mc` alone counts the
 * signals (late ones apart) each group may be shown in the period, scored or not. Set-based: one statement for every
 * group, whatever their number; the caller adds `WITH` and may join its own CTEs after these.
 */
export function metricsCtes(
  q: Pick<
    PerformanceMetricsQuery,
    'group' | 'period' | 'horizon' | 'source' | 'owner' | 'model_id' | 'symbol' | 'tf'
  > & {
    minResolved?: number;
    /** Only these models' score rows (the figures of one page). */
    models?: readonly { owner: string; model_id: string }[];
  },
  nowMs: number,
  params: unknown[],
): string {
  const since = periodStart(q.period, nowMs);
  const rows = scoredRows(q, since, params);
  return `${rows},
    ma AS (
      SELECT owner, model_id, count(*)::int AS scored, count(hit)::int AS resolved,
             (count(*) FILTER (WHERE hit))::int AS hits, avg(pr) AS mean_return,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY pr) AS median_return, stddev_samp(pr) AS sd,
             max(dd) AS max_drawdown, coalesce(sum(pr) FILTER (WHERE pr > 0), 0) AS gains,
             0 - sum(pr) FILTER (WHERE pr < 0) AS losses, corr(rx, ry) AS spearman,
             array_agg(DISTINCT timeframe ORDER BY timeframe) AS timeframes
      FROM md GROUP BY owner, model_id
    ),
    ${figureCtes(q, since, params)}`;
}

/**
 * The same CTEs' last three (`mc`, `mm`, `mw`) over the stored per-day summary (ml.score_summary) instead of every
 * score row: what composes from sums (counts, hit rate, mean, Sharpe, profit factor) for every model of `modelsCte`
 * (a CTE of owner, model_id the caller defines first); median_return, max_drawdown and spearman are NULL, to be read
 * with metricsCtes for the models of one page. The days before the window's first whole day, and from the first day
 * holding a live score still inside the delay (ml.score_summary_fresh_from, the same for every viewer) on, are read
 * from the score rows under their RLS; the whole days between, from the summary, whose rows are then visible to
 * whoever may see the model. Group `model` only. The two ends are two ranges of signal_scores_model_entry (owner, model,
 * horizon, entry), one per listed model, never a scan of the table.
 */
export function summaryMetricsCtes(
  q: Pick<PerformanceMetricsQuery, 'period' | 'horizon' | 'source' | 'owner' | 'symbol' | 'tf'> & {
    minResolved?: number;
  },
  nowMs: number,
  params: unknown[],
  modelsCte: string,
): string {
  const since = periodStart(q.period, nowMs);
  const firstDay =
    since === '-infinity' ? since : new Date(Math.ceil(Date.parse(since) / 86_400_000) * 86_400_000).toISOString();
  const sinceP = `$${params.push(since)}::timestamptz`;
  const firstP = `$${params.push(firstDay)}::timestamptz`;
  const horizonP = `$${params.push(q.horizon)}::int`;
  const backfilledP = `$${params.push(q.source === 'backfilled')}::boolean`;
  const filter = (alias: string) => {
    const where = [
      `${alias}.horizon_bars = ${horizonP}`,
      `${alias}.backfilled = ${backfilledP}`,
      `(${alias}.owner, ${alias}.model_id) IN (SELECT owner, model_id FROM ${modelsCte})`,
    ];
    if (q.owner) where.push(`${alias}.owner = $${params.push(q.owner)}`);
    if (q.symbol) where.push(`${alias}.symbol = $${params.push(q.symbol)}`);
    if (q.tf) where.push(`${alias}.timeframe = $${params.push(q.tf)}`);
    return where.join(' AND ');
  };
  return `
    sf AS (
      SELECT CASE WHEN ${backfilledP} THEN 'infinity'::timestamptz
                  ELSE ml.score_summary_fresh_from(${horizonP}) END AS fresh
    ),
    su AS (
      SELECT b.owner, b.model_id, b.timeframe, b.scored, b.resolved, b.hits, b.pr_state AS st, b.gains, b.losses
      FROM ml.score_summary b, sf
      WHERE ${filter('b')} AND b.day_start >= ${firstP} AND b.day_start < sf.fresh
      UNION ALL
      SELECT o.owner, o.model_id, o.timeframe, count(*)::int, count(o.hit)::int, (count(*) FILTER (WHERE o.hit))::int,
             ml.float8_state(o.position_return), sum(o.position_return) FILTER (WHERE o.position_return > 0),
             sum(o.position_return) FILTER (WHERE o.position_return < 0)
      FROM ml.signal_scores o
      WHERE ${filter('o')} AND o.exit_bar_ts IS NOT NULL AND o.entry_bar_ts >= ${sinceP} AND o.entry_bar_ts < ${firstP}
      GROUP BY o.owner, o.model_id, o.timeframe
      UNION ALL
      SELECT o.owner, o.model_id, o.timeframe, count(*)::int, count(o.hit)::int, (count(*) FILTER (WHERE o.hit))::int,
             ml.float8_state(o.position_return), sum(o.position_return) FILTER (WHERE o.position_return > 0),
             sum(o.position_return) FILTER (WHERE o.position_return < 0)
      FROM ml.signal_scores o
      WHERE ${filter('o')} AND o.exit_bar_ts IS NOT NULL
        AND o.entry_bar_ts >= greatest(${firstP}, (SELECT sf.fresh FROM sf))
      GROUP BY o.owner, o.model_id, o.timeframe
    ),
    ma AS (
      SELECT owner, model_id, sum(scored)::int AS scored, sum(resolved)::int AS resolved, sum(hits)::int AS hits,
             float8_avg(ml.float8_state_merge(st)) AS mean_return, NULL::float8 AS median_return,
             float8_stddev_samp(ml.float8_state_merge(st)) AS sd, NULL::float8 AS max_drawdown,
             coalesce(sum(gains), 0) AS gains, 0 - sum(losses) AS losses, NULL::float8 AS spearman,
             array_agg(DISTINCT timeframe ORDER BY timeframe) AS timeframes
      FROM su GROUP BY owner, model_id
    ),
    ${figureCtes({ ...q, group: 'model' }, since, params, modelsCte)}`;
}

/** `mc`, `mm` and `mw` of metricsCtes, after an `ma` of per-group sums. */
function figureCtes(
  q: Pick<PerformanceMetricsQuery, 'group' | 'horizon' | 'owner' | 'model_id' | 'symbol' | 'tf'> & {
    minResolved?: number;
  },
  since: string,
  params: unknown[],
  modelsCte?: string,
): string {
  const sinceP = `$${params.push(since)}::timestamptz`;
  const symbolP = `$${params.push(q.symbol ?? null)}::text`;
  const tfP = `$${params.push(q.tf ?? null)}::text`;
  const minResolvedP = `$${params.push(q.minResolved ?? PROVISIONAL_BELOW_RESOLVED)}`;
  const horizonP = `$${params.push(q.horizon)}`;
  const z = `$${params.push(Z95)}::float8`;
  const counts = q.group === 'model' ? 'c.model_id' : 'NULL::text';
  const countFilter = [`(${symbolP} IS NULL OR c.symbol = ${symbolP})`, `(${tfP} IS NULL OR c.timeframe = ${tfP})`];
  if (q.owner) countFilter.push(`c.owner = $${params.push(q.owner)}`);
  if (q.model_id) countFilter.push(`c.model_id = $${params.push(q.model_id)}`);
  // ml.visible_signal_counts' rows, from ml.visible_series narrowed to the models asked for (one model, or the
  // caller's models CTE) so that it reads only their summary days.
  const scope =
    q.owner && q.model_id
      ? `ARRAY[$${params.push(q.owner)}]::text[], ARRAY[$${params.push(q.model_id)}]::text[]`
      : modelsCte
        ? `ARRAY(SELECT owner FROM ${modelsCte}), ARRAY(SELECT model_id FROM ${modelsCte})`
        : 'NULL::text[], NULL::text[]';
  return `
    mc AS (
      SELECT c.owner, ${counts} AS model_id, sum(c.window_signals)::int AS signals, sum(c.window_late)::int AS late
      FROM ml.visible_series(${scope}, ${sinceP}) c
      WHERE ${countFilter.join(' AND ')}
      GROUP BY 1, 2
      HAVING sum(c.window_signals) > 0
    ),
    mm AS (
      SELECT a.owner, a.model_id, a.timeframes, a.scored, a.resolved, a.hits,
             CASE WHEN a.resolved > 0 THEN a.hits::float8 / a.resolved END AS hit_rate,
             a.mean_return, a.median_return, a.max_drawdown, a.spearman,
             CASE WHEN cardinality(a.timeframes) = 1 AND a.scored >= 2 AND a.sd > 0
                  THEN a.mean_return / a.sd
                       * sqrt(${YEAR_S} / (${horizonP}
                              * extract(epoch FROM ml.timeframe_interval(a.timeframes[1]))::float8))
             END AS sharpe,
             CASE WHEN a.losses > 0 THEN a.gains / a.losses END AS profit_factor,
             coalesce(c.signals, a.scored) AS signals, coalesce(c.late, 0) AS late
      FROM ma a LEFT JOIN mc c ON c.owner = a.owner AND c.model_id IS NOT DISTINCT FROM a.model_id
    ),
    mw AS (
      SELECT mm.*,
             CASE WHEN resolved > 0 THEN
               (hit_rate + ${z} ^ 2 / (2 * resolved)
                 - ${z} * sqrt(hit_rate * (1 - hit_rate) / resolved + ${z} ^ 2 / (4.0 * resolved ^ 2)))
               / (1 + ${z} ^ 2 / resolved) END AS hit_rate_low,
             CASE WHEN resolved > 0 THEN
               (hit_rate + ${z} ^ 2 / (2 * resolved)
                 + ${z} * sqrt(hit_rate * (1 - hit_rate) / resolved + ${z} ^ 2 / (4.0 * resolved ^ 2)))
               / (1 + ${z} ^ 2 / resolved) END AS hit_rate_high,
             CASE WHEN signals > 0 THEN late::float8 / signals END AS late_share,
             resolved < ${minResolvedP} AS provisional
      FROM mm
    )`;
}

const SORT_COLUMNS: Record<PerformanceMetricsQuery['sort'], string> = {
  sharpe: 'sharpe',
  hit_rate: 'hit_rate',
  hit_rate_low: 'hit_rate_low',
  mean_return: 'mean_return',
  median_return: 'median_return',
  max_drawdown: 'max_drawdown',
  profit_factor: 'profit_factor',
  spearman: 'spearman',
  late_share: 'late_share',
  scored: 'scored',
  resolved: 'resolved',
};

/** Figures per model or vendor (docs/metrics.md), under the caller's RLS: own models and public ones. */
export const metricsRepository = {
  /** The scored horizons (ml.score_horizons), shortest first. */
  async horizons(tx: Queryable): Promise<number[]> {
    const rows = await tx.query<{ h: number }>('SELECT horizon_bars AS h FROM ml.score_horizons ORDER BY 1');
    return rows.map((r) => r.h);
  },

  async find(
    tx: Queryable,
    q: PerformanceMetricsQuery & { nowMs: number; minResolved?: number },
  ): Promise<{ rows: PerformanceMetrics[]; total: number }> {
    const params: unknown[] = [];
    const ctes = metricsCtes(q, q.nowMs, params);
    const sort = SORT_COLUMNS[q.sort];
    const sql = `
      WITH ${ctes}
      SELECT ${METRIC_COLUMNS}, count(*) OVER ()::int AS total
      FROM mw
      ORDER BY ${sort} ${q.order === 'asc' ? 'ASC' : 'DESC'} NULLS LAST, owner, model_id
      LIMIT $${params.push(q.limit)} OFFSET $${params.push(q.offset)}`;
    const found = await tx.query<Omit<PerformanceMetrics, 'period' | 'horizon_bars' | 'source'> & { total: number }>(
      sql,
      params,
    );
    const total = found[0]?.total ?? 0;
    return {
      total,
      rows: found.map(({ total: _, ...r }) => ({
        ...r,
        period: q.period,
        horizon_bars: q.horizon,
        source: q.source,
      })),
    };
  },

  /** One model's (or vendor's) equity, drawdown and running hit rate, thinned to at most `points` points. */
  async curve(tx: Queryable, q: PerformanceCurveQuery & { nowMs: number }): Promise<CurvePoint[]> {
    const params: unknown[] = [];
    const rows = scoredRows({ ...q, group: q.model_id ? 'model' : 'vendor' }, periodStart(q.period, q.nowMs), params);
    const sql = `
      WITH ${rows},
      t AS (SELECT md.*, count(*) OVER () AS n_all FROM md)
      SELECT to_char(entry_bar_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, equity,
             dd AS drawdown,
             CASE WHEN resolved_so_far > 0 THEN hits_so_far::float8 / resolved_so_far END AS hit_rate,
             n_so_far::int AS n
      FROM t
      WHERE n_so_far % greatest(1, ceil(n_all::float8 / $${params.push(q.points)}))::bigint = 0
         OR n_so_far = n_all
      ORDER BY n_so_far`;
    return tx.query<CurvePoint>(sql, params);
  },
};
