// Constructed series for model tests: closes chosen by the test, the rest derived so every bar is valid.
import type { Bar } from './types';

const HOUR_MS = 3_600_000;
const START_MS = Date.UTC(2025, 0, 6);

/** Hourly bars with the given closes; each opens at the previous close, high/low 0.1% outside the body. */
export function barsFromCloses(closes: readonly number[]): Bar[] {
  return closes.map((close, i) => {
    const open = i === 0 ? close : (closes[i - 1] as number);
    return {
      bar_ts: new Date(START_MS + i * HOUR_MS).toISOString(),
      open,
      high: Math.max(open, close) * 1.001,
      low: Math.min(open, close) * 0.999,
      close,
      volume: 1000,
    };
  });
}

/** `n` closes rising (step > 0) or falling (step < 0) by `step` per bar from `start`. */
export function line(n: number, start: number, step: number): number[] {
  return Array.from({ length: n }, (_, i) => start + i * step);
}

/** A deterministic zig-zag around `level` (amplitude `amp`), so oscillators sit mid-range. */
export function zigzag(n: number, level: number, amp: number): number[] {
  return Array.from({ length: n }, (_, i) => level + (i % 2 === 0 ? amp : -amp));
}

/** A seeded random walk (mulberry32), for property-style checks. */
export function randomWalk(n: number, seed: number, start = 100): number[] {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const out: number[] = [];
  let price = start;
  for (let i = 0; i < n; i++) {
    price *= 1 + (random() - 0.5) * 0.02;
    out.push(price);
  }
  return out;
}
