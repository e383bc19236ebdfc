import type { Decision } from '@neuronetiq/contracts';
import { bollinger, ema, rsi } from '@neuronetiq/indicators';

// Pure transforms from api rows to chart series (seconds since the epoch, ascending, one point per time).

export interface ChartBar {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
}
export interface ChartSignal {
  time: number;
  decision: Decision;
  modelId: string;
  confidence: number;
}
export interface LinePoint {
  time: number;
  value: number;
}

export const toSeconds = (iso: string) => Math.floor(new Date(iso).getTime() / 1000);

/** Bars from the api (newest first, possibly with duplicates after live updates) → ascending and unique by time. */
export function normaliseBars(bars: { bar_ts: string; open: number; high: number; low: number; close: number }[]) {
  const byTime = new Map<number, ChartBar>();
  for (const b of bars) {
    const time = toSeconds(b.bar_ts);
    byTime.set(time, { time, open: b.open, high: b.high, low: b.low, close: b.close });
  }
  return [...byTime.values()].sort((a, b) => a.time - b.time);
}

function line(times: number[], values: Float64Array): LinePoint[] {
  const out: LinePoint[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isFinite(v)) out.push({ time: times[i] as number, value: v });
  }
  return out;
}

/** EMA 20 and 50, Bollinger (20, 2) and RSI 14 over the closes, warm-up points left out. */
export function indicatorLines(bars: ChartBar[]) {
  const times = bars.map((b) => b.time);
  const closes = bars.map((b) => b.close);
  const bb = bollinger(closes, 20, 2);
  return {
    ema20: line(times, ema(closes, 20)),
    ema50: line(times, ema(closes, 50)),
    bbUpper: line(times, bb.upper),
    bbMiddle: line(times, bb.middle),
    bbLower: line(times, bb.lower),
    rsi14: line(times, rsi(closes, 14)),
  };
}

/**
 * Cumulative return of following a model's calls: each resolved BUY/SELL earns its bar's signed move
 * ((close − open) / open), compounded in bar order. NEUTRAL calls and bars without data add nothing.
 */
export function cumulativeReturn(bars: ChartBar[], signals: ChartSignal[]): LinePoint[] {
  const byTime = new Map(bars.map((b) => [b.time, b]));
  let equity = 1;
  const out: LinePoint[] = [];
  for (const s of [...signals].sort((a, b) => a.time - b.time)) {
    const bar = byTime.get(s.time);
    if (!bar || s.decision === 'NEUTRAL' || bar.open === 0) continue;
    const move = (bar.close - bar.open) / bar.open;
    equity *= 1 + (s.decision === 'BUY' ? move : -move);
    out.push({ time: s.time, value: equity - 1 });
  }
  return out;
}

/**
 * The api's curve as three chart series (fractions): equity, drawdown (drawn below zero) and the running hit rate.
 * Calls entered on one bar share a time, and a chart needs strictly rising times: the last point of each time is kept
 * (it includes every call of that bar).
 */
export function curveSeries(curve: { at: string; equity: number; drawdown: number; hit_rate: number | null }[]): {
  equity: LinePoint[];
  drawdown: LinePoint[];
  hit_rate: LinePoint[];
} {
  const byTime = new Map<number, (typeof curve)[number]>();
  for (const p of curve) byTime.set(toSeconds(p.at), p);
  const times = [...byTime.keys()].sort((a, b) => a - b);
  const equity: LinePoint[] = [];
  const drawdown: LinePoint[] = [];
  const hitRate: LinePoint[] = [];
  for (const time of times) {
    const p = byTime.get(time) as (typeof curve)[number];
    equity.push({ time, value: p.equity });
    drawdown.push({ time, value: p.drawdown === 0 ? 0 : -p.drawdown });
    if (p.hit_rate !== null) hitRate.push({ time, value: p.hit_rate });
  }
  return { equity, drawdown, hit_rate: hitRate };
}
