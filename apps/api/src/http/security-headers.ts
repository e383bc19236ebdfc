import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * The response headers helmet sets with `options`, computed once. @fastify/helmet ran helmet's middleware on every
 * request, which built it anew each time (its options checked, the CSP directives parsed): a tenth of the api's CPU
 * per single-signal store. With static options (no per-request nonces, no directive functions) every request gets
 * the same headers, so they are worked out at start-up and copied onto each reply.
 */
export function securityHeaders(options: HelmetOptions): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader(name: string, value: unknown) {
      headers[name.toLowerCase()] = String(value);
    },
    // X-Powered-By, which Fastify never sets.
    removeHeader() {},
  };
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err;
  });
  return Object.freeze(headers);
}
