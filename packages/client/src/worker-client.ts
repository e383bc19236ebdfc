import type {
  PredictBatchResponse,
  SeriesPredictions,
  WorkerModelInfo,
  WorkerModelsResponse,
  WorkerSeriesInput,
} from '@neuronetiq/contracts';
import { type FetchLike, requestJson } from './http';

export interface WorkerClientOptions {
  /** Base URL of the worker, e.g. `http://127.0.0.1:7071`. */
  baseUrl: string;
  /** Per request; default 15,000. */
  timeoutMs?: number;
  fetch?: FetchLike;
}

/** The client of the ML worker (`apps/worker`). */
export function createWorkerClient(options: WorkerClientOptions) {
  const base = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 15_000;
  return {
    /** `POST /v1/predict/batch`: one entry per series, in request order. */
    async predictBatch(series: readonly WorkerSeriesInput[], signal?: AbortSignal): Promise<SeriesPredictions[]> {
      const body = await requestJson<PredictBatchResponse>(
        { method: 'POST', url: `${base}/v1/predict/batch`, body: { series }, timeoutMs, signal },
        options.fetch,
      );
      if (!body || !Array.isArray(body.results) || body.results.length !== series.length) {
        throw new Error(`POST /v1/predict/batch answered without one result per series (${series.length} sent)`);
      }
      return body.results;
    },

    /** `GET /v1/models`: the models the worker runs and the bars each needs. */
    async models(signal?: AbortSignal): Promise<WorkerModelInfo[]> {
      const body = await requestJson<WorkerModelsResponse>(
        { method: 'GET', url: `${base}/v1/models`, timeoutMs, signal },
        options.fetch,
      );
      if (!body || !Array.isArray(body.models)) throw new Error('GET /v1/models answered without a models list');
      return body.models;
    },
  };
}
export type WorkerClient = ReturnType<typeof createWorkerClient>;
