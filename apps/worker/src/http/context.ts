import type { ModelRegistry } from '@neuronetiq/models';
import type { RequestLimits } from '../validation/parse-request';
import type { WorkerMetrics } from './metrics';

/** What every route of the worker may use; no route holds state between requests. */
export interface WorkerContext {
  readonly registry: ModelRegistry;
  readonly limits: RequestLimits;
  readonly metrics: WorkerMetrics;
}
