import { type ErrorResponse, ErrorResponseSchema } from '@neuronetiq/contracts';
import { getEnv } from '../env';
import { mintApiToken } from './api-token';
import type { Viewer } from './viewer';

/**
 * Who an api call runs as: the signed-in viewer (a minted token), nobody (anon), or the web server itself (the service
 * key: only for the sign-in identity upsert, never to read on a viewer's behalf).
 */
export type Caller = Viewer | null | 'service';

/** An api answer that is not a success, with the contract's error body when there is one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorResponse | null,
  ) {
    super(body?.message ?? `the api answered ${status}`);
  }
}

export async function authorization(caller: Caller): Promise<Record<string, string>> {
  const env = getEnv();
  if (caller === null) return {};
  if (caller === 'service') return { authorization: `Bearer ${env.SERVICE_ROLE_KEY}` };
  const token = await mintApiToken(caller, {
    secret: env.SUPABASE_JWT_SECRET,
    ttlS: env.API_TOKEN_TTL_S,
    issuer: env.SUPABASE_JWT_ISSUER,
  });
  return { authorization: `Bearer ${token}` };
}

/** One api call from the web server. Throws ApiError on a non-2xx answer; returns undefined on 204. */
export async function api<T>(
  caller: Caller,
  path: string,
  init: { method?: string; body?: unknown; query?: Record<string, string | number | undefined> } = {},
): Promise<T> {
  const env = getEnv();
  const url = new URL(path, env.INFRA_API_URL);
  for (const [k, v] of Object.entries(init.query ?? {}))
    if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
  const headers: Record<string, string> = { accept: 'application/json', ...(await authorization(caller)) };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    cache: 'no-store',
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const parsed = ErrorResponseSchema.safeParse(json);
    throw new ApiError(res.status, parsed.success ? parsed.data : null);
  }
  return json as T;
}
