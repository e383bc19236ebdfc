// The Google stand-in (oidc-provider) runs the authorization-code flow with Google's paths and an ID token that
// carries the e-mail, driven here by a plain HTTP client with its own cookie jar.
import assert from 'node:assert/strict';
import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type GoogleOidcServer, startGoogleOidcServer } from './google-oidc';

const REDIRECT = 'http://127.0.0.1:1/api/auth/oauth2/callback/google';
const CLIENT = { clientId: 'google-test.apps', clientSecret: 'g-secret', redirectUris: [REDIRECT] };
const ADA = { sub: '104857600000000000001', email: 'ada.lovelace@example.com', name: 'Ada Lovelace' };
const BOB = { sub: '104857600000000000002', email: 'bob@example.org', name: 'Bob', emailVerified: false };

let google: GoogleOidcServer;
before(async () => {
  google = await startGoogleOidcServer({ users: [ADA, BOB], clients: [CLIENT] });
});
after(() => google.close());

/** Follows the browser's side of the flow by hand (cookies and redirects), picking `sub` on the chooser. */
async function signIn(sub: string, extra: Record<string, string> = {}): Promise<URL> {
  const jar = new Map<string, string>();
  const go = async (url: string, init: RequestInit = {}) => {
    const res = await fetch(new URL(url, google.issuer), {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string>),
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
      },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = (pair ?? '').indexOf('=');
      jar.set((pair ?? '').slice(0, eq), (pair ?? '').slice(eq + 1));
    }
    return res;
  };
  const params = new URLSearchParams({
    client_id: CLIENT.clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid email profile',
    state: 'state-1',
    nonce: 'nonce-1',
    ...extra,
  });
  let res = await go(`${google.authorizationUrl}?${params}`);
  assert.equal(res.status, 303, await res.clone().text());
  const interaction = res.headers.get('location') ?? '';
  const page = await (await go(interaction)).text();
  assert.match(page, /Continue as ada\.lovelace@example\.com/);
  res = await go(interaction, { method: 'POST', body: new URLSearchParams({ account: sub }) });
  for (let hops = 0; hops < 5 && res.status >= 300 && res.status < 400; hops++) {
    const next = res.headers.get('location') ?? '';
    if (next.startsWith(REDIRECT)) return new URL(next);
    res = await go(next);
  }
  assert.fail(`the flow did not come back to the client: ${res.status} ${await res.text()}`);
}

async function token(body: Record<string, string>) {
  const res = await fetch(google.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', redirect_uri: REDIRECT, ...body }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

function verifiedIdToken(jwt: string, keys: { kid: string }[]): Record<string, unknown> {
  const [h, p, s] = jwt.split('.') as [string, string, string];
  const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg: string; kid: string };
  assert.equal(header.alg, 'RS256');
  const jwk = keys.find((k) => k.kid === header.kid);
  assert.ok(jwk, 'the ID token is signed by a key the JWKS publishes');
  const key = createPublicKey({ key: jwk as never, format: 'jwk' });
  assert.ok(verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url')), 'signature verifies');
  return JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
}

describe('Google OIDC stand-in', () => {
  test('discovery names Google-shaped endpoints on loopback', async () => {
    const meta = (await (await fetch(google.discoveryUrl)).json()) as Record<string, unknown>;
    assert.equal(meta.issuer, google.issuer);
    assert.equal(meta.authorization_endpoint, `${google.issuer}/o/oauth2/v2/auth`);
    assert.equal(meta.token_endpoint, `${google.issuer}/token`);
    assert.equal(meta.userinfo_endpoint, `${google.issuer}/v1/userinfo`);
    assert.equal(meta.jwks_uri, `${google.issuer}/oauth2/v3/certs`);
  });

  test('code exchange gives an RS256 ID token that carries email like Google, and userinfo agrees', async () => {
    const back = await signIn(ADA.sub);
    assert.equal(back.searchParams.get('state'), 'state-1');
    const code = back.searchParams.get('code') ?? '';
    const { status, body } = await token({ code, client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret });
    assert.equal(status, 200, JSON.stringify(body));
    const { keys } = (await (await fetch(google.jwksUrl)).json()) as { keys: { kid: string }[] };
    const claims = verifiedIdToken(body.id_token ?? '', keys);
    assert.equal(claims.iss, google.issuer);
    assert.equal(claims.aud, CLIENT.clientId);
    assert.equal(claims.sub, ADA.sub);
    assert.equal(claims.email, ADA.email);
    assert.equal(claims.email_verified, true);
    assert.equal(claims.name, ADA.name);
    assert.equal(claims.nonce, 'nonce-1');
    const info = (await (
      await fetch(google.userInfoUrl, { headers: { authorization: `Bearer ${body.access_token}` } })
    ).json()) as Record<string, unknown>;
    assert.deepEqual([info.sub, info.email], [ADA.sub, ADA.email]);
    assert.match(String(info.picture), /^http:\/\/127\.0\.0\.1:\d+\/avatars\//);
  });

  test('an unverified e-mail is reported as such', async () => {
    const back = await signIn(BOB.sub);
    const { body } = await token({
      code: back.searchParams.get('code') ?? '',
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
    });
    const payload = JSON.parse(Buffer.from((body.id_token ?? '').split('.')[1] ?? '', 'base64url').toString());
    assert.equal(payload.email, BOB.email);
    assert.equal(payload.email_verified, false);
  });

  test('a wrong client secret is refused with invalid_client', async () => {
    const back = await signIn(ADA.sub);
    const { status, body } = await token({
      code: back.searchParams.get('code') ?? '',
      client_id: CLIENT.clientId,
      client_secret: 'wrong',
    });
    assert.equal(status, 401);
    assert.equal(body.error, 'invalid_client');
    assert.equal(body.access_token, undefined);
  });

  test('a code is single-use', async () => {
    const back = await signIn(ADA.sub);
    const params = {
      code: back.searchParams.get('code') ?? '',
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
    };
    assert.equal((await token(params)).status, 200);
    const reused = await token(params);
    assert.equal(reused.status, 400);
    assert.equal(reused.body.error, 'invalid_grant');
  });

  test('PKCE S256 is enforced when the client started with a challenge', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const pkce = { code_challenge: challenge, code_challenge_method: 'S256' };
    const secret = { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret };

    const wrong = await signIn(ADA.sub, pkce);
    const refused = await token({
      ...secret,
      code: wrong.searchParams.get('code') ?? '',
      code_verifier: `${verifier}x`,
    });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error, 'invalid_grant');

    const right = await signIn(ADA.sub, pkce);
    const ok = await token({ ...secret, code: right.searchParams.get('code') ?? '', code_verifier: verifier });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });

  test('an unregistered redirect_uri is refused without redirecting', async () => {
    const params = new URLSearchParams({
      client_id: CLIENT.clientId,
      redirect_uri: 'http://evil.example/cb',
      response_type: 'code',
      scope: 'openid email',
    });
    const res = await fetch(`${google.authorizationUrl}?${params}`, { redirect: 'manual' });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('location'), null);
    assert.match(await res.text(), /redirect_uri/);
  });
});
