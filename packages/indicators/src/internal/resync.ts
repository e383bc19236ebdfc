/**
 * Running window sums (SMA, WMA, Bollinger) are recomputed from the window at every bar index that is a multiple of
 * 1,024 (RESYNC_MASK + 1), and whenever the running sum has become NaN (a NaN or ±Infinity has left the window).
 * Why: each add/subtract rounds, so without it the error of a long series grows with its length, and one outlier
 * (a bad tick of 1e6 in prices near 1) leaves its rounding error in the sum for good once it has left the window;
 * with it, any error lives at most 1,024 bars. Cost: `period` additions per 1,024 bars (< 2% for period 20).
 * Batch and streaming forms resync at the same bar indices, so they give bit-identical numbers.
 */
export const RESYNC_MASK = 1023;
