import { CONTRACTS_VERSION } from '@neuronetiq/contracts';
import { HttpError } from './errors';

export interface JsonRequest {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is instead of `body` (a file streamed as it is read); the answer is still JSON. */
  raw?: { body: ReadableStream<Uint8Array> | Uint8Array | string; contentType: string };
  headers?: Record<string, string>;
  timeoutMs: number;
  /** Aborts the request early (shutdown). */
  signal?: AbortSignal;
}

export type FetchLike = typeof fetch;

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/**
 * One JSON request to one of our services. Resolves with the parsed body (undefined for 204); a non-2xx answer
 * throws `HttpError` carrying the status and the error code of the body; transport failures and timeouts throw as
 * fetch throws them (see classifyFailure).
 */
export async function requestJson<T = unknown>(req: JsonRequest, fetchImpl: FetchLike = fetch): Promise<T> {
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
  const headers: Record<string, string> = { 'x-contracts-version': CONTRACTS_VERSION, ...req.headers };
  if (req.raw) headers['content-type'] = req.raw.contentType;
  else if (req.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetchImpl(req.url, {
    method: req.method,
    headers,
    body: req.raw ? req.raw.body : req.body === undefined ? undefined : JSON.stringify(req.body),
    // A stream body must say so (fetch sends it as it is read, before the answer).
    ...(req.raw && typeof req.raw.body === 'object' && !(req.raw.body instanceof Uint8Array)
      ? { duplex: 'half' as const }
      : {}),
    signal,
  });
  const text = await res.text();
  if (!res.ok) {
    let code: string | undefined;
    let message = text.slice(0, 500);
    let details: { path: string; message: string }[] | undefined;
    try {
      const parsed = JSON.parse(text) as { error?: unknown; message?: unknown; details?: unknown };
      if (typeof parsed.error === 'string') code = parsed.error;
      if (typeof parsed.message === 'string') message = parsed.message;
      if (Array.isArray(parsed.details)) details = parsed.details as { path: string; message: string }[];
    } catch {
      // not JSON (a proxy's HTML page): keep the raw text
    }
    throw new HttpError(
      res.status,
      code,
      `${req.method} ${new URL(req.url).pathname} answered ${res.status}${code ? ` ${code}` : ''}: ${message}`,
      retryAfterMs(res.headers.get('retry-after')),
      details,
    );
  }
  return (text.length === 0 ? undefined : JSON.parse(text)) as T;
}
