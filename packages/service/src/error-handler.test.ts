import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ErrorResponseSchema } from '@neuronetiq/contracts';
import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from './app-error';
import { installContractsVersion } from './contracts-version';
import { clientErrorHandler, installErrorHandling } from './error-handler';
import { errorResponses, withSchemas } from './routes';

/** Sends raw bytes and returns the raw answer (status line, headers, body). */
function rawRequest(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(request));
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

/**
 * Sends a POST whose body of `total` bytes is written in 16 KiB pieces a millisecond apart (a client on a slow link),
 * as `Content-Length` or chunked, and reads the answer once it has sent everything, as simple clients do; resolves
 * with the answer and the socket's error code, if any.
 */
function slowUpload(
  port: number,
  total: number,
  framing: 'length' | 'chunked',
): Promise<{ answer: string; error?: string }> {
  return new Promise((resolve) => {
    let answer = '';
    let error: string | undefined;
    const socket = connect(port, '127.0.0.1', async () => {
      const length = framing === 'length' ? `Content-Length: ${total}` : 'Transfer-Encoding: chunked';
      socket.write(`POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${length}\r\n\r\n`);
      const piece = Buffer.alloc(16 * 1024, 0x20);
      for (let sent = 0; sent < total && !socket.destroyed; sent += piece.length) {
        const data = piece.subarray(0, Math.min(piece.length, total - sent));
        const framed =
          framing === 'length'
            ? data
            : Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n')]);
        socket.write(framed);
        await new Promise((r) => setTimeout(r, 1));
      }
      if (framing === 'chunked' && !socket.destroyed) socket.write('0\r\n\r\n');
      socket.on('data', (chunk: Buffer) => {
        answer += chunk.toString('latin1');
      });
    });
    socket.on('error', (err: Error & { code?: string }) => {
      error = err.code ?? err.message;
    });
    socket.on('close', () => resolve({ answer, ...(error ? { error } : {}) }));
  });
}

const bodyOf = (answer: string) => ErrorResponseSchema.parse(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)));

describe('the services error handling', () => {
  let app: FastifyInstance;
  let port = 0;
  before(async () => {
    app = Fastify({ bodyLimit: 1024, maxParamLength: 100, clientErrorHandler });
    installErrorHandling(app, { bodyLimitBytes: 1024, bodyLimitHint: 'send less' });
    installContractsVersion(app);
    withSchemas(app).post(
      '/echo',
      {
        schema: {
          body: z.strictObject({ n: z.number({ error: 'n must be a number' }) }),
          querystring: z.object({ q: z.enum(['a', 'b']).optional() }),
          response: { 200: z.object({ n: z.number() }), ...errorResponses() },
        },
      },
      async (req) => ({ n: req.body.n }),
    );
    app.get('/boom', async () => {
      throw new Error('SELECT secret FROM internals');
    });
    app.get('/teapot', async () => {
      throw new AppError('CONFLICT', { message: 'already there', headers: { 'retry-after': '3' } });
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
  });
  after(() => app.close());

  test('headers over the server limit are 431 HEADERS_TOO_LARGE in the error shape', async () => {
    const answer = await rawRequest(port, `GET /echo HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    assert.match(answer, /^HTTP\/1\.1 431 /);
    assert.equal(bodyOf(answer).error, 'HEADERS_TOO_LARGE');
  });

  test('a request that is not HTTP is 400 VALIDATION_ERROR in the error shape', async () => {
    const answer = await rawRequest(port, 'NOT HTTP AT ALL\r\n\r\n');
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.equal(bodyOf(answer).error, 'VALIDATION_ERROR');
  });

  test('a body over the limit is 413 PAYLOAD_TOO_LARGE quoting the limit and what to do', async () => {
    const res = await app.inject({ method: 'POST', url: '/echo', payload: { n: 1, pad: 'x'.repeat(2000) } });
    assert.equal(res.statusCode, 413);
    const body = ErrorResponseSchema.parse(res.json());
    assert.equal(body.error, 'PAYLOAD_TOO_LARGE');
    assert.match(body.message, /limit of 1024 bytes \(send less\)/);
  });

  test('a client still sending a 2 MiB body reads the 413, whether the body has a length or is chunked', async () => {
    for (const framing of ['length', 'chunked'] as const) {
      const { answer, error } = await slowUpload(port, 2 * 1024 * 1024, framing);
      assert.equal(error, undefined, `${framing}: the connection failed (${error}) instead of answering 413`);
      assert.match(answer, /^HTTP\/1\.1 413 /, framing);
      assert.match(answer, /\r\nconnection: close\r\n/i, framing);
      assert.equal(bodyOf(answer).error, 'PAYLOAD_TOO_LARGE', framing);
    }
  });

  test('a body that is not JSON is 400 naming the body; another media type is 415', async () => {
    const broken = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"n":',
    });
    assert.equal(broken.statusCode, 400);
    assert.deepEqual(broken.json().details, [{ path: '', message: 'must be valid JSON' }]);
    const xml = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/xml' },
      payload: '<n/>',
    });
    assert.equal(xml.statusCode, 415);
    assert.equal(xml.json().error, 'UNSUPPORTED_MEDIA_TYPE');
  });

  test('a schema failure is 400 naming each field of each part, with the schema message', async () => {
    const res = await app.inject({ method: 'POST', url: '/echo', payload: { n: 'one', extra: true } });
    assert.equal(res.statusCode, 400);
    const body = ErrorResponseSchema.parse(res.json());
    assert.match(body.message, /^body is invalid \(n: n must be a number, and 1 more\)$/);
    assert.deepEqual(
      body.details?.map((d) => d.path),
      ['n', 'extra'],
    );
    const query = await app.inject({ method: 'POST', url: '/echo?q=c', payload: { n: 1 } });
    assert.match(query.json().message, /^query is invalid \(q: /);
  });

  test('an absent body is reported as missing, not as a crash', async () => {
    const res = await app.inject({ method: 'POST', url: '/echo' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error, 'VALIDATION_ERROR');
  });

  test('an unknown path is 404; a known path with another method is 405 with Allow', async () => {
    const missing = await app.inject({ method: 'GET', url: '/nope' });
    assert.equal(missing.statusCode, 404);
    assert.equal(ErrorResponseSchema.parse(missing.json()).error, 'NOT_FOUND');
    const wrong = await app.inject({ method: 'GET', url: '/echo' });
    assert.equal(wrong.statusCode, 405);
    assert.equal(wrong.headers.allow, 'POST');
  });

  test('an unexpected error is 500 without internals; an AppError keeps its status, message and headers', async () => {
    const boom = await app.inject({ method: 'GET', url: '/boom' });
    assert.equal(boom.statusCode, 500);
    assert.doesNotMatch(boom.body, /secret|SELECT|internals/);
    const conflict = await app.inject({ method: 'GET', url: '/teapot' });
    assert.equal(conflict.statusCode, 409);
    assert.equal(conflict.headers['retry-after'], '3');
    assert.equal(conflict.json().message, 'already there');
  });

  test('an incompatible X-Contracts-Version is refused; every answer names the version spoken', async () => {
    const res = await app.inject({ method: 'GET', url: '/teapot', headers: { 'x-contracts-version': '0.1.0' } });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error, 'CONTRACT_VERSION_UNSUPPORTED');
    assert.match(String(res.headers['x-contracts-version']), /^\d+\.\d+\.\d+$/);
  });
});
