// The client of the api an external developer's tools use (the mp CLI, a starter model): every answer is parsed with
// the contracts' schema of that endpoint, so a server of another contracts version fails loudly here, naming the
// field, instead of handing half-understood data to the caller.
import {
  ApiKeySchema,
  type BatchItemResult,
  BatchWriteResponseSchema,
  CONTRACTS_VERSION,
  type ConsensusQuery,
  DEVICE_TOKEN_ERRORS,
  DeviceCodeResponseSchema,
  type DeviceTokenError,
  type DeviceTokenResponse,
  DeviceTokenResponseSchema,
  dataResponse,
  ErrorCodeSchema,
  MeSchema,
  ModelSchema,
  type PerformanceQuery,
  type RegisterModel,
  RevenueResponseSchema,
  SIGNAL_BATCH_MAX,
  type SignalPayload,
  type SignalsQuery,
  StoredBarSchema,
  StoredConsensusSchema,
  StoredSignalSchema,
  type Timeframe,
  TrackRecordSchema,
  zodIssuesToDetails,
} from '@neuronetiq/contracts';
import { z } from 'zod';
import { HttpError, refusedItems } from './errors';
import { type FetchLike, requestJson } from './http';

export interface VendorClientOptions {
  /** Base URL of the api, e.g. `http://127.0.0.1:8787`. */
  baseUrl: string;
  /** A vendor API key `mp_…` (or a session token); omitted for the anonymous calls (device flow, public reads). */
  token?: string | undefined;
  /** Per request; default 30,000. */
  timeoutMs?: number;
  fetch?: FetchLike;
}

/** An answer that does not match the contracts' schema of its endpoint. */
export class ResponseShapeError extends Error {
  override readonly name = 'ResponseShapeError';
  constructor(
    readonly endpoint: string,
    readonly details: readonly { path: string; message: string }[],
  ) {
    const first = details[0];
    super(
      `${endpoint} answered a body that does not match @neuronetiq/contracts ${CONTRACTS_VERSION}` +
        `${first ? ` (${first.path || 'body'}: ${first.message})` : ''}`,
    );
  }
}

function parse<S extends z.ZodType>(schema: S, body: unknown, endpoint: string): z.output<S> {
  const result = schema.safeParse(body);
  if (!result.success) throw new ResponseShapeError(endpoint, zodIssuesToDetails(result.error, body));
  return result.data;
}

/** What the api says about itself at `/health`, and the contracts version every answer carries. */
export interface ApiProbe {
  ok: boolean;
  status: number;
  /** `X-Contracts-Version` of the answer; null when the server sent none (not our api). */
  contractsVersion: string | null;
}

export type DeviceTokenPoll = { ok: true; token: DeviceTokenResponse } | { ok: false; error: DeviceTokenError };

const query = (q: object) => {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null) params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
};

export function createVendorClient(options: VendorClientOptions) {
  const base = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const f = options.fetch;
  const auth: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};

  async function call<S extends z.ZodType>(
    schema: S,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<z.output<S>> {
    const answer = await requestJson(
      {
        method,
        url: `${base}${path}`,
        ...(body === undefined ? {} : { body }),
        headers: { ...auth, ...headers },
        timeoutMs,
      },
      f,
    );
    return parse(schema, answer, `${method} ${path.split('?')[0]}`);
  }

  return {
    baseUrl: base,

    /** `GET /health` without credentials: is it reachable, and which contracts version does it speak. */
    async probe(): Promise<ApiProbe> {
      const res = await (f ?? fetch)(`${base}/health`, {
        headers: { 'x-contracts-version': CONTRACTS_VERSION },
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.arrayBuffer();
      return { ok: res.ok, status: res.status, contractsVersion: res.headers.get('x-contracts-version') };
    },

    /** `POST /api/cli/device/code`: starts `mp login` (RFC 8628). */
    startDeviceLogin: (clientName: string) =>
      call(DeviceCodeResponseSchema, 'POST', '/api/cli/device/code', { client_name: clientName }),

    /** `POST /api/cli/device/token`: one poll; the RFC 8628 answers that mean "not yet" or "never" are values. */
    async pollDeviceLogin(deviceCode: string): Promise<DeviceTokenPoll> {
      try {
        const token = await call(DeviceTokenResponseSchema, 'POST', '/api/cli/device/token', {
          device_code: deviceCode,
        });
        return { ok: true, token };
      } catch (err) {
        const code = err instanceof HttpError && err.status === 400 ? err.code : undefined;
        if (code && (DEVICE_TOKEN_ERRORS as readonly string[]).includes(code)) {
          return { ok: false, error: code as DeviceTokenError };
        }
        throw err;
      }
    },

    /** `GET /api/me`: who the credentials belong to. */
    me: async () => (await call(dataResponse(MeSchema), 'GET', '/api/me')).data,

    /** `DELETE /api/keys/{id}`: revokes a key of the caller's owner (a key may revoke itself). */
    revokeKey: async (id: string) =>
      (await call(dataResponse(ApiKeySchema), 'DELETE', `/api/keys/${encodeURIComponent(id)}`)).data,

    /** `GET /api/models`: your models and every public one (`owner` narrows it). */
    listModels: async (q: { owner?: string; limit?: number } = {}) =>
      (await call(dataResponse(z.array(ModelSchema)), 'GET', `/api/models${query(q)}`)).data,

    /** `POST /api/models`: registers a model under the caller's owner. */
    registerModel: async (model: RegisterModel) =>
      (await call(dataResponse(ModelSchema), 'POST', '/api/models', model)).data,

    /** `POST /api/signals/store`: one signal under its idempotency key; resolves when stored or unchanged. */
    async storeSignal(signal: SignalPayload, idempotencyKey: string): Promise<void> {
      await requestJson(
        {
          method: 'POST',
          url: `${base}/api/signals/store`,
          body: signal,
          headers: { ...auth, 'idempotency-key': idempotencyKey },
          timeoutMs,
        },
        f,
      );
    },

    /** `POST /api/signals/batch`: at most SIGNAL_BATCH_MAX signals; one result per signal, in order. */
    async storeSignals(signals: readonly SignalPayload[]) {
      if (signals.length > SIGNAL_BATCH_MAX) throw new RangeError(`at most ${SIGNAL_BATCH_MAX} signals per batch`);
      const send = async (list: readonly SignalPayload[]) => {
        const body = await call(BatchWriteResponseSchema, 'POST', '/api/signals/batch', { signals: list });
        if (body.results.length !== list.length) {
          throw new ResponseShapeError('POST /api/signals/batch', [
            { path: 'results', message: `has ${body.results.length} results for ${list.length} signals` },
          ]);
        }
        return body;
      };
      try {
        return await send(signals);
      } catch (err) {
        // The api stores a batch all or nothing: the rows it names are rejected here, the rest posted once more.
        const refused = refusedItems(err, 'signals');
        if (!refused) throw err;
        const known = ErrorCodeSchema.safeParse((err as HttpError).code);
        const code = known.success ? known.data : undefined;
        const keep = signals.flatMap((s, index) => (refused.has(index) ? [] : [{ s, index }]));
        const rest = keep.length > 0 ? await send(keep.map((k) => k.s)) : null;
        const results: BatchItemResult[] = signals.map((_, index) => {
          const details = refused.get(index);
          return details
            ? { index, status: 'rejected', ...(code ? { error: code } : {}), message: details[0]?.message, details }
            : { index, status: 'stored' };
        });
        for (const [j, k] of keep.entries()) {
          const r = rest?.results[j];
          if (r) results[k.index] = { ...r, index: k.index };
        }
        const count = (status: BatchItemResult['status']) => results.filter((r) => r.status === status).length;
        return {
          success: count('rejected') === 0,
          stored: count('stored'),
          unchanged: count('unchanged'),
          rejected: count('rejected'),
          results,
        };
      }
    },

    /** `GET /api/signals`: your stored signals, newest first. */
    listSignals: async (q: Partial<SignalsQuery> = {}) =>
      (await call(dataResponse(z.array(StoredSignalSchema)), 'GET', `/api/signals${query(q)}`)).data,

    /** `GET /api/consensus`: consensus rows you may read, newest first. */
    listConsensus: async (q: Partial<ConsensusQuery> = {}) =>
      (await call(dataResponse(z.array(StoredConsensusSchema)), 'GET', `/api/consensus${query(q)}`)).data,

    /** `GET /api/marketdata/ohlcv`: up to `limit` (≤ 5000) bars of one series in [from, to], newest first. */
    getBars: async (q: { symbol: string; tf: Timeframe; limit?: number; from?: string; to?: string }) =>
      (await call(dataResponse(z.array(StoredBarSchema)), 'GET', `/api/marketdata/ohlcv${query(q)}`)).data,

    /** `GET /api/vendor/revenue`: your statement of a month (`closed` once the month has ended: it never changes). */
    async revenue(month: string) {
      const body = await call(RevenueResponseSchema, 'GET', `/api/vendor/revenue${query({ month })}`);
      return { ...body.data, closed: body.closed };
    },

    /** The same statement as the api's CSV (RFC 4180; the same bytes at every read of a closed month). */
    async revenueCsv(month: string): Promise<string> {
      const path = `/api/vendor/revenue${query({ month, format: 'csv' })}`;
      const res = await (f ?? fetch)(`${base}${path}`, {
        headers: { ...auth, 'x-contracts-version': CONTRACTS_VERSION },
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      if (!res.ok) {
        let code: string | undefined;
        let message = text.slice(0, 500);
        try {
          const e = JSON.parse(text) as { error?: unknown; message?: unknown };
          if (typeof e.error === 'string') code = e.error;
          if (typeof e.message === 'string') message = e.message;
        } catch {
          // not JSON: keep the raw text
        }
        throw new HttpError(
          res.status,
          code,
          `GET /api/vendor/revenue answered ${res.status}${code ? ` ${code}` : ''}: ${message}`,
        );
      }
      return text;
    },

    /** `GET /api/performance`: track records of your models and the public ones. */
    performance: async (q: Partial<PerformanceQuery> = {}) =>
      (await call(dataResponse(z.array(TrackRecordSchema)), 'GET', `/api/performance${query(q)}`)).data,
  };
}
export type VendorClient = ReturnType<typeof createVendorClient>;
