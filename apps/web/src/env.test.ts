// The web app runs under `next start`, which sets NODE_ENV=production even on a person's machine (npm start), so it
// cannot tell a deployment by NODE_ENV: the development sign-in is refused where WEB_URL is not a loopback origin and on
// every Vercel deployment (VERCEL_ENV is set there), naming the variable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseEnv } from './env';

const secrets = {
  DATABASE_URL: 'postgres://web@127.0.0.1:5432/postgres',
  SERVICE_ROLE_KEY: 'a'.repeat(32),
  SUPABASE_JWT_SECRET: 'b'.repeat(32),
  BETTER_AUTH_SECRET: 'c'.repeat(32),
};

test('the development sign-in works on a loopback WEB_URL, as npm start runs it', () => {
  assert.equal(parseEnv({ ...secrets, AUTH_DEV_LOGIN: 'true', NODE_ENV: 'production' }).AUTH_DEV_LOGIN, true);
});

test('the development sign-in is refused for a public WEB_URL and on any Vercel deployment', () => {
  assert.throws(
    () => parseEnv({ ...secrets, AUTH_DEV_LOGIN: 'true', WEB_URL: 'https://trader.neuronetiq.com' }),
    /AUTH_DEV_LOGIN: must not be true when WEB_URL is https:\/\/trader\.neuronetiq\.com/,
  );
  for (const VERCEL_ENV of ['production', 'preview']) {
    assert.throws(
      () => parseEnv({ ...secrets, AUTH_DEV_LOGIN: 'true', VERCEL_ENV }),
      new RegExp(`AUTH_DEV_LOGIN: must not be true on a Vercel deployment \\(VERCEL_ENV=${VERCEL_ENV}\\)`),
    );
  }
  assert.equal(parseEnv({ ...secrets, VERCEL_ENV: 'production' }).AUTH_DEV_LOGIN, false);
});
