// The real mp (built as published) against the real api on each database backend: the device login end to end, the
// config it keeps (XDG, mode 0600, one key per api), MP_API_KEY, logout's revocation and doctor's checks.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ErrorResponseSchema, MeSchema } from '@neuronetiq/contracts';
import { createTestDatabase, type TestDatabase, testBackends } from '@neuronetiq/db/testing';
import {
  type Api,
  buildMp,
  createGithubUser,
  loginThroughDeviceFlow,
  type MpRunner,
  mpRunner,
  oneSentence,
  startApi,
} from './test-support';

let mpPath: string;
before(async () => {
  mpPath = await buildMp();
});

for (const backend of testBackends()) {
  describe(`mp login, whoami, logout and doctor against the api [${backend}]`, () => {
    let database: TestDatabase;
    let api: Api;
    let mp: MpRunner;
    let user: Awaited<ReturnType<typeof createGithubUser>>;

    before(async () => {
      database = await createTestDatabase(backend);
      api = await startApi(database.db);
      mp = mpRunner(mpPath, api.url);
      user = await createGithubUser(database.db);
    });
    after(async () => {
      await api?.close();
      await database?.close();
    });

    test('mp login runs the device flow: the approved key is stored mode 0600 under XDG_CONFIG_HOME and whoami shows the owner', async () => {
      const { result, approvalStatus } = await loginThroughDeviceFlow(mp, api.url, user.token);
      assert.equal(approvalStatus, 200);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /First copy your one-time code: [A-Z]{4}-[A-Z]{4}/);
      assert.match(result.stdout, /\/cli\/authorize\?user_code=/);
      assert.match(result.stdout, new RegExp(`Logged in to ${api.url} as ${user.login}`));
      const file = join(mp.configHome, 'mp', 'config.json');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal(statSync(join(mp.configHome, 'mp')).mode & 0o777, 0o700);
      const config = JSON.parse(readFileSync(file, 'utf8'));
      assert.equal(config.default_api_url, api.url);
      assert.equal(config.hosts[api.url].owner, user.login);
      assert.match(config.hosts[api.url].api_key, /^mp_[a-z0-9]{12}_/);

      const who = await mp.run(['whoami']);
      assert.equal(who.code, 0, who.stderr);
      assert.match(who.stdout, new RegExp(`^${user.login} on ${api.url}`));
      const whoJson = await mp.run(['whoami', '--json']);
      const me = MeSchema.parse(JSON.parse(whoJson.stdout));
      assert.equal(me.kind === 'vendor' && me.owner, user.login);
      assert.ok(!who.stdout.includes('\u001b['), 'no colour when stdout is not a terminal');

      const doctor = await mp.run(['doctor']);
      assert.equal(doctor.code, 0, doctor.stdout + doctor.stderr);
      for (const check of ['config', 'api', 'contracts', 'credentials', 'database']) {
        assert.match(doctor.stdout, new RegExp(`✓ ${check}`));
      }
    });

    test('a stored key is only sent to the api that issued it: another --api-url is not logged in', async () => {
      const other = await mp.run(['whoami', '--api-url', 'http://127.0.0.1:9']);
      assert.equal(other.code, 1);
      assert.match(other.stderr, /not logged in to http:\/\/127\.0\.0\.1:9/);
    });

    test('MP_API_KEY is used without a stored login; logout revokes the stored key at the api and forgets it', async () => {
      const config = JSON.parse(readFileSync(join(mp.configHome, 'mp', 'config.json'), 'utf8'));
      const key = config.hosts[api.url].api_key as string;
      const ci = mpRunner(mpPath, api.url);
      const who = await ci.run(['whoami'], { env: { MP_API_KEY: key } });
      assert.equal(who.code, 0, who.stderr);
      assert.match(who.stdout, /from MP_API_KEY/);
      const ciLogout = await ci.run(['logout'], { env: { MP_API_KEY: key } });
      assert.equal(ciLogout.code, 1);
      assert.match(ciLogout.stderr, /MP_API_KEY.*unset it/);

      const out = await mp.run(['logout']);
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, /revoked and forgotten/);
      const after = JSON.parse(readFileSync(join(mp.configHome, 'mp', 'config.json'), 'utf8'));
      assert.deepEqual(after.hosts, {});
      const me = await fetch(`${api.url}/api/me`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal(me.status, 401, 'the api refuses the revoked key');
      ErrorResponseSchema.parse(await me.json());
      const doctor = await mp.run(['doctor']);
      assert.equal(doctor.code, 1);
      assert.match(doctor.stdout, /✗ credentials\s+no API key\n\s+fix: run `mp login`/);
    });

    test('mp login --api-key stores a key after checking it; doctor flags a config others can read', async () => {
      const res = await fetch(`${api.url}/api/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'ci' }),
      });
      const key = ((await res.json()) as { data: { key: string } }).data.key;
      const bad = await mp.run(['login', '--api-key', `mp_${'a'.repeat(12)}_${'b'.repeat(43)}`]);
      assert.equal(bad.code, 1);
      oneSentence(bad.stderr);
      const ok = await mp.run(['login', '--api-key', key]);
      assert.equal(ok.code, 0, ok.stderr);
      const file = join(mp.configHome, 'mp', 'config.json');
      const { chmodSync } = await import('node:fs');
      chmodSync(file, 0o644);
      const doctor = await mp.run(['doctor']);
      assert.equal(doctor.code, 1);
      assert.match(doctor.stdout, /✗ config\s+.*readable by others.*\n\s+fix: run `chmod 600 /);
    });
  });
}
