// Logistic regression: inference and L2-regularised training by Newton's method (IRLS). Deterministic: full
// batch, zero start, a fixed number of steps or convergence; no randomness, so no seed is needed to repeat it.

export interface LogisticModel {
  /** Per-feature mean and standard deviation of the training set; inputs are standardised with them. */
  readonly mean: readonly number[];
  readonly std: readonly number[];
  readonly weights: readonly number[];
  readonly bias: number;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** P(label = 1 | x). */
export function predictProbability(model: LogisticModel, x: ArrayLike<number>): number {
  let z = model.bias;
  for (let j = 0; j < model.weights.length; j++) {
    z += (model.weights[j] as number) * (((x[j] as number) - (model.mean[j] as number)) / (model.std[j] as number));
  }
  return sigmoid(z);
}

export interface TrainOptions {
  /** L2 penalty on the weights (not the bias), in units of the log-likelihood. */
  readonly l2: number;
  readonly maxIterations?: number;
  /** Stop when no coefficient moves by more than this. */
  readonly tolerance?: number;
}

/** Fits weights on rows `xs` (each a feature vector) and 0/1 labels `ys`. */
export function trainLogistic(
  xs: readonly ArrayLike<number>[],
  ys: ArrayLike<number>,
  options: TrainOptions,
): LogisticModel {
  const n = xs.length;
  const d = xs[0]?.length ?? 0;
  if (n === 0 || ys.length !== n)
    throw new RangeError(`trainLogistic: need rows and as many labels (got ${n}, ${ys.length})`);
  const mean = new Array<number>(d).fill(0);
  const std = new Array<number>(d).fill(0);
  for (const x of xs) for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) + (x[j] as number) / n;
  for (const x of xs)
    for (let j = 0; j < d; j++) std[j] = (std[j] as number) + ((x[j] as number) - (mean[j] as number)) ** 2 / n;
  for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j] as number) || 1;
  const z = xs.map((x) => {
    const row = new Float64Array(d + 1);
    row[0] = 1; // bias column
    for (let j = 0; j < d; j++) row[j + 1] = ((x[j] as number) - (mean[j] as number)) / (std[j] as number);
    return row;
  });

  const beta = new Float64Array(d + 1);
  const maxIterations = options.maxIterations ?? 50;
  const tolerance = options.tolerance ?? 1e-10;
  for (let iter = 0; iter < maxIterations; iter++) {
    const gradient = new Float64Array(d + 1);
    const hessian = Array.from({ length: d + 1 }, () => new Float64Array(d + 1));
    for (let i = 0; i < n; i++) {
      const row = z[i] as Float64Array;
      let eta = 0;
      for (let j = 0; j <= d; j++) eta += (beta[j] as number) * (row[j] as number);
      const p = sigmoid(eta);
      const residual = p - (ys[i] as number);
      const w = p * (1 - p);
      for (let j = 0; j <= d; j++) {
        gradient[j] = (gradient[j] as number) + residual * (row[j] as number);
        const h = hessian[j] as Float64Array;
        for (let k = 0; k <= j; k++) h[k] = (h[k] as number) + w * (row[j] as number) * (row[k] as number);
      }
    }
    for (let j = 1; j <= d; j++) {
      gradient[j] = (gradient[j] as number) + options.l2 * (beta[j] as number);
      (hessian[j] as Float64Array)[j] = ((hessian[j] as Float64Array)[j] as number) + options.l2;
    }
    for (let j = 0; j <= d; j++)
      for (let k = j + 1; k <= d; k++) (hessian[j] as Float64Array)[k] = (hessian[k] as Float64Array)[j] as number;
    const step = solve(hessian, gradient);
    let largest = 0;
    for (let j = 0; j <= d; j++) {
      beta[j] = (beta[j] as number) - (step[j] as number);
      largest = Math.max(largest, Math.abs(step[j] as number));
    }
    if (largest < tolerance) break;
  }
  return { mean, std, weights: Array.from(beta.subarray(1)), bias: beta[0] as number };
}

/** Solves A x = b by Gaussian elimination with partial pivoting (A is small and positive definite here). */
function solve(a: readonly Float64Array[], b: Float64Array): Float64Array {
  const n = b.length;
  const m: Float64Array[] = a.map((row, i) => {
    const r = new Float64Array(n + 1);
    r.set(row);
    r[n] = b[i] as number;
    return r;
  });
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++)
      if (Math.abs((m[r] as Float64Array)[col] as number) > Math.abs((m[pivot] as Float64Array)[col] as number))
        pivot = r;
    const p = m[pivot] as Float64Array;
    m[pivot] = m[col] as Float64Array;
    m[col] = p;
    for (let r = col + 1; r < n; r++) {
      const row = m[r] as Float64Array;
      const f = (row[col] as number) / (p[col] as number);
      for (let c = col; c <= n; c++) row[c] = (row[c] as number) - f * (p[c] as number);
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    const row = m[r] as Float64Array;
    let s = row[n] as number;
    for (let c = r + 1; c < n; c++) s -= (row[c] as number) * (x[c] as number);
    x[r] = s / (row[r] as number);
  }
  return x;
}
