import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import Fastify from 'fastify';
import { apiLoggerOptions, lazyChildLogger } from './logger';

/** A Fastify app logging at `level` into `lines`, with a route that logs once at info and once at warn. */
async function appLogging(level: string, lines: string[]) {
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const app = Fastify({
    logger: apiLoggerOptions(level, stream),
    childLoggerFactory: lazyChildLogger,
    genReqId: () => 'req-lazy-1',
  });
  app.get('/', async (req) => {
    req.log.info({ step: 'info' }, 'an info line');
    req.log.warn({ step: 'warn' }, 'a warn line');
    return { level: req.log.level };
  });
  await app.ready();
  return app;
}

test('request loggers at warn: only enabled lines are written, with the request id', async () => {
  const lines: string[] = [];
  const app = await appLogging('warn', lines);
  const res = await app.inject({ url: '/' });
  await app.close();
  assert.equal(res.json().level, 'warn');
  const written = lines.map((l) => JSON.parse(l));
  assert.deepEqual(
    written.map((l) => l.step),
    ['warn'],
  );
  assert.equal(written[0].reqId, 'req-lazy-1');
});

test('request loggers at info: the request lines and the route lines all carry the request id', async () => {
  const lines: string[] = [];
  const app = await appLogging('info', lines);
  await app.inject({ url: '/' });
  await app.close();
  const written = lines.map((l) => JSON.parse(l));
  const steps = written.filter((l) => l.step).map((l) => l.step);
  assert.deepEqual(steps, ['info', 'warn']);
  assert.ok(written.some((l) => l.msg === 'incoming request'));
  assert.ok(written.filter((l) => l.msg !== 'Server listening at').every((l) => l.reqId === 'req-lazy-1'));
});
