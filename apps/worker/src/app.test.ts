import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CONTRACTS_VERSION, ErrorResponseSchema, WorkerModelsResponseSchema } from '@neuronetiq/contracts';
import { BUILTIN_MODELS } from '@neuronetiq/models';
import { makeBars, type RunningWorker, startWorker } from './testing/harness';

let worker: RunningWorker;
before(async () => {
  worker = await startWorker();
});
after(() => worker.close());

test('GET /health answers 200 with the contracts version', async () => {
  const res = await fetch(`${worker.url}/health`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('x-contracts-version'), CONTRACTS_VERSION);
  assert.deepEqual(await res.json(), {
    status: 'ok',
    service: 'worker',
    contracts_version: CONTRACTS_VERSION,
    models: BUILTIN_MODELS.length,
  });
});

test('GET /v1/models lists the registry with each warm-up', async () => {
  const res = await fetch(`${worker.url}/v1/models`);
  assert.equal(res.status, 200);
  const body = WorkerModelsResponseSchema.parse(await res.json());
  assert.deepEqual(
    body.models,
    BUILTIN_MODELS.map((m) => ({
      id: m.id,
      version: m.version,
      description: m.description,
      required_bars: m.requiredBars,
    })),
  );
});

test('an unknown route is 404 in the error shape, with the request id', async () => {
  const res = await fetch(`${worker.url}/v1/nope`, { headers: { 'x-request-id': 'trace-123' } });
  assert.equal(res.status, 404);
  const body = ErrorResponseSchema.parse(await res.json());
  assert.equal(body.error, 'NOT_FOUND');
  assert.equal(body.request_id, 'trace-123');
  assert.equal(res.headers.get('x-request-id'), 'trace-123');
});

test('a known path with the wrong method is 405 with an Allow header', async () => {
  const res = await fetch(`${worker.url}/v1/predict/batch`);
  assert.equal(res.status, 405);
  assert.equal(res.headers.get('allow'), 'POST');
  const body = ErrorResponseSchema.parse(await res.json());
  assert.equal(body.error, 'METHOD_NOT_ALLOWED');
  assert.match(body.message, /use POST/);
});

test('an incompatible X-Contracts-Version is 400 naming the supported range; a compatible one passes', async () => {
  const res = await fetch(`${worker.url}/health`, { headers: { 'x-contracts-version': '0.15.0' } });
  assert.equal(res.status, 400);
  const body = ErrorResponseSchema.parse(await res.json());
  assert.equal(body.error, 'CONTRACT_VERSION_UNSUPPORTED');
  assert.match(body.message, /0\.16\.x/);
  const ok = await fetch(`${worker.url}/health`, { headers: { 'x-contracts-version': '0.16.9' } });
  assert.equal(ok.status, 200);
});

test('GET /metrics exposes predictions by model and outcome and the latency histogram', async () => {
  const res = await worker.post('/v1/predict', { symbol: 'EURUSD', timeframe: '1h', bars: makeBars(20) });
  assert.equal(res.status, 200);
  const metrics = await fetch(`${worker.url}/metrics`);
  assert.equal(metrics.status, 200);
  assert.match(metrics.headers.get('content-type') ?? '', /text\/plain/);
  const text = await metrics.text();
  assert.match(text, /worker_predictions_total\{model="baseline-rsi-001",outcome="(BUY|SELL|NEUTRAL)"\} 1/);
  assert.match(text, /worker_predictions_total\{model="logreg-001",outcome="INSUFFICIENT_BARS"\} 1/);
  assert.match(
    text,
    /worker_http_request_duration_seconds_bucket\{le="[^"]+",method="POST",route="\/v1\/predict",status="200"\}/,
  );
  assert.match(text, /worker_bars_total 20/);
});
