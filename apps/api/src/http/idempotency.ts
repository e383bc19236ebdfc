import { createHash } from 'node:crypto';
import type { Queryable } from '@neuronetiq/db';
import { repos } from '@neuronetiq/db';
import type { FastifyReply } from 'fastify';
import { AppError } from '../errors';

export interface StoredResponse {
  status: number;
  body: unknown;
}

/** Answers with a (possibly replayed) stored response: its status, its body, and `Idempotent-Replayed` on a replay. */
export function sendStored(reply: FastifyReply, response: StoredResponse & { replayed: boolean }): FastifyReply {
  if (response.replayed) reply.header('idempotent-replayed', 'true');
  return response.status === 204 ? reply.code(204).send() : reply.code(response.status).send(response.body);
}

/** 409: a request with `key` is being processed right now (here or in another api process). */
export const keyInFlight = (key: string) =>
  new AppError('IDEMPOTENCY_KEY_IN_FLIGHT', {
    message: `a request with Idempotency-Key "${key}" is still being processed; retry after it completes`,
    headers: { 'retry-after': '1' },
  });

/** 422: `key` was used before with another body. */
export const keyReused = (key: string) =>
  new AppError('IDEMPOTENCY_KEY_REUSED', {
    message: `Idempotency-Key "${key}" was already used with a different request body; use a new key`,
  });

export const requestHash = (normalisedBody: unknown): string =>
  createHash('sha256').update(JSON.stringify(normalisedBody)).digest('hex');

/**
 * Runs `work` at most once per (principal, key) with IETF httpapi Idempotency-Key semantics: the same key and body
 * replays the first response; the same key with another body is 422; a request still in flight with the key is 409.
 * The record is written in the request's transaction (its statement carries the COMMIT), so it exists exactly when
 * the work committed.
 */
export async function withIdempotency(
  ctx: { tx: Queryable; principal: string; key: string | undefined; body: unknown },
  work: () => Promise<StoredResponse>,
): Promise<StoredResponse & { replayed: boolean }> {
  const { key } = ctx;
  if (key === undefined) return { ...(await work()), replayed: false };
  // The body's hash is only needed with a key: a keyless batch of 1,000 signals skips hashing it.
  const hash = requestHash(ctx.body);
  const claim = await repos.idempotency.claim(ctx.tx, ctx.principal, key);
  if (!claim.locked) throw keyInFlight(key);
  if (claim.record) {
    if (claim.record.request_hash !== hash) throw keyReused(key);
    return { status: claim.record.response_status, body: claim.record.response_body, replayed: true };
  }
  const response = await work();
  await repos.idempotency.save(
    ctx.tx,
    ctx.principal,
    key,
    { request_hash: hash, response_status: response.status, response_body: response.body ?? null },
    { commit: true },
  );
  return { ...response, replayed: false };
}
