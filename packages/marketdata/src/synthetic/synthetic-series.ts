import {
  barStart,
  isAlignedTo,
  type OhlcvBar,
  SymbolSchema,
  TIMEFRAME_MS,
  type Timeframe,
} from '@neuronetiq/contracts';
import { createRandom } from './random';

const YEAR_MS = 365.25 * 86_400_000;

export interface VolatilityRegime {
  name: string;
  /** Annualised volatility of log returns, e.g. 0.1 for 10 %. */
  annualVolatility: number;
  /** Mean length of a stay in this regime, in bars (stays are geometric). */
  meanDurationBars: number;
}

/** A calm and a stormy market; the stormy one is rarer and shorter, as in most real series. */
export const DEFAULT_REGIMES: readonly VolatilityRegime[] = [
  { name: 'calm', annualVolatility: 0.08, meanDurationBars: 600 },
  { name: 'volatile', annualVolatility: 0.3, meanDurationBars: 150 },
];

export interface SyntheticSeriesOptions {
  symbol: string;
  timeframe: Timeframe;
  /** Same seed and options, same bars. */
  seed: number;
  /** bar_ts (ms) of the first bar; must sit on the timeframe's boundary. */
  startMs: number;
  startPrice?: number;
  /** Annualised drift of log prices. Default 0. */
  annualDrift?: number;
  regimes?: readonly VolatilityRegime[];
  /** Decimal places prices are rounded to. Default 5. */
  decimals?: number;
  /** Typical volume of a bar in the first regime. Default 1,000. */
  baseVolume?: number;
  /** Random-walk steps inside each bar, which shape its high and low. Default 16. */
  stepsPerBar?: number;
}

export interface SyntheticSeries {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  /** bar_ts (ms) of the bar next() returns. */
  readonly nextBarMs: number;
  /** Name of the volatility regime of the bar last returned. */
  readonly regime: string;
  next(): OhlcvBar;
  take(n: number): OhlcvBar[];
}

/**
 * Geometric random walk with Markov-switching volatility: log price moves by (μ − σ²/2)Δt + σ√Δt·Z in each of
 * `stepsPerBar` sub-steps, σ set by the current regime; open is the previous close, high/low the extremes of
 * the path. Deterministic: bar n depends only on the seed, the options and n.
 */
export function createSyntheticSeries(options: SyntheticSeriesOptions): SyntheticSeries {
  const symbol = SymbolSchema.parse(options.symbol);
  const { timeframe, seed } = options;
  if (!isAlignedTo(options.startMs, timeframe)) {
    throw new RangeError(`startMs ${new Date(options.startMs).toISOString()} is not on a ${timeframe} boundary`);
  }
  const regimes = options.regimes ?? DEFAULT_REGIMES;
  if (regimes.length === 0) throw new RangeError('at least one volatility regime is needed');
  const tfMs = TIMEFRAME_MS[timeframe];
  const steps = options.stepsPerBar ?? 16;
  const dt = tfMs / YEAR_MS / steps;
  const drift = options.annualDrift ?? 0;
  const scale = 10 ** (options.decimals ?? 5);
  const round = (x: number) => Math.round(x * scale) / scale;
  const baseVolume = options.baseVolume ?? 1000;
  const baseVol = (regimes[0] as VolatilityRegime).annualVolatility;
  const rnd = createRandom(seed);

  let logPrice = Math.log(options.startPrice ?? 100);
  let barMs = options.startMs;
  let regimeIndex = 0;

  const next = (): OhlcvBar => {
    const current = regimes[regimeIndex] as VolatilityRegime;
    if (regimes.length > 1 && rnd.next() < 1 / current.meanDurationBars) {
      const other = Math.floor(rnd.next() * (regimes.length - 1));
      regimeIndex = other >= regimeIndex ? other + 1 : other;
    }
    const sigma = (regimes[regimeIndex] as VolatilityRegime).annualVolatility;
    const mu = (drift - (sigma * sigma) / 2) * dt;
    const sd = sigma * Math.sqrt(dt);
    const open = Math.exp(logPrice);
    let high = open;
    let low = open;
    for (let i = 0; i < steps; i++) {
      logPrice += mu + sd * rnd.normal();
      const p = Math.exp(logPrice);
      if (p > high) high = p;
      if (p < low) low = p;
    }
    const close = Math.exp(logPrice);
    // Busier markets trade more: volume scales with the regime's volatility, with lognormal noise.
    const volume = Math.round(baseVolume * (sigma / baseVol) * Math.exp(0.5 * rnd.normal() - 0.125) * 100) / 100;
    const bar: OhlcvBar = {
      symbol,
      timeframe,
      bar_ts: new Date(barMs).toISOString(),
      // Rounding is monotonic, so high >= open, close >= low still holds after it.
      open: round(open),
      high: round(high),
      low: round(low),
      close: round(close),
      volume,
    };
    barMs += tfMs;
    return bar;
  };

  return {
    symbol,
    timeframe,
    get nextBarMs() {
      return barMs;
    },
    get regime() {
      return (regimes[regimeIndex] as VolatilityRegime).name;
    },
    next,
    take: (n) => Array.from({ length: n }, next),
  };
}

export interface BackfillOptions extends Omit<SyntheticSeriesOptions, 'startMs'> {
  /** Bars to produce. */
  count: number;
  /** Every bar closes at or before this instant; the last one is the bar that closed most recently. */
  endMs: number;
}

/**
 * `count` closed bars ending at `endMs`, and the series that carries on from them: its next() is the bar in
 * progress at `endMs`, so a live feed started from it continues the backfill without a seam.
 */
export function generateBackfill(options: BackfillOptions): { bars: OhlcvBar[]; series: SyntheticSeries } {
  const tfMs = TIMEFRAME_MS[options.timeframe];
  const lastClose = barStart(options.endMs, options.timeframe);
  const series = createSyntheticSeries({ ...options, startMs: lastClose - options.count * tfMs });
  return { bars: series.take(options.count), series };
}
