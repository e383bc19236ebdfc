// The GitHub stand-in runs the authorization-code flow as github.com does, driven here by a plain HTTP client.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type GitHubOAuthServer, startGitHubOAuthServer } from './github-oauth';

const CLIENT = { clientId: 'Iv1.test', clientSecret: 'shh-secret', redirectUris: ['http://127.0.0.1:1/cb'] };
const OCTO = { id: 583231, login: 'Octocat', name: 'The Octocat', email: 'octocat@example.com' };
const HIDDEN = {
  id: 9001,
  login: 'quiet-one',
  email: null,
  emails: [
    { email: 'old@example.com', primary: false, verified: false },
    { email: 'quiet@example.com', primary: true, verified: true, visibility: 'private' as const },
  ],
};

let gh: GitHubOAuthServer;
before(async () => {
  gh = await startGitHubOAuthServer({ users: [OCTO, HIDDEN], clients: [CLIENT] });
});
after(() => gh.close());

/** Approves as `login` on the stand-in's page and returns the redirect's query. */
async function authorize(params: Record<string, string>, login: string): Promise<URLSearchParams> {
  const res = await fetch(gh.authorizationUrl, {
    method: 'POST',
    body: new URLSearchParams({ ...params, account: login }),
    redirect: 'manual',
  });
  assert.equal(res.status, 302, await res.text());
  const location = new URL(res.headers.get('location') ?? '');
  assert.equal(`${location.origin}${location.pathname}`, params.redirect_uri ?? CLIENT.redirectUris[0]);
  return location.searchParams;
}

async function exchange(body: Record<string, string>, accept = 'application/json') {
  const res = await fetch(gh.tokenUrl, {
    method: 'POST',
    headers: { accept, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body),
  });
  assert.equal(res.status, 200);
  return accept === 'application/json'
    ? ((await res.json()) as Record<string, string>)
    : Object.fromEntries(new URLSearchParams(await res.text()));
}

const api = (path: string, token: string, headers: Record<string, string> = {}) =>
  fetch(`${gh.url}${path}`, { headers: { authorization: `Bearer ${token}`, 'user-agent': 'test', ...headers } });

describe('GitHub OAuth stand-in', () => {
  test('the authorize page lists each configured user and carries state through', async () => {
    const url = `${gh.authorizationUrl}?client_id=${CLIENT.clientId}&state=xyz&scope=read:user`;
    const res = await fetch(url);
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /Continue as Octocat/);
    assert.match(html, /Continue as quiet-one/);
    assert.match(html, /name="state" value="xyz"/);
  });

  test('code exchange (form and JSON answers) gives a token that reads /user by numeric id', async () => {
    const query = await authorize(
      { client_id: CLIENT.clientId, redirect_uri: CLIENT.redirectUris[0] as string, state: 's1', scope: 'read:user' },
      'octocat',
    );
    assert.equal(query.get('state'), 's1');
    const code = query.get('code') ?? '';
    const form = await exchange(
      { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, code },
      'application/x-www-form-urlencoded',
    );
    assert.match(form.access_token ?? '', /^gho_[A-Za-z0-9_-]{36}$/);
    assert.equal(form.token_type, 'bearer');
    assert.equal(form.scope, 'read:user');
    const user = (await (await api('/user', form.access_token ?? '')).json()) as Record<string, unknown>;
    assert.equal(user.id, 583231);
    assert.equal(user.login, 'Octocat');
    assert.equal(user.name, 'The Octocat');
    assert.equal(user.html_url, 'https://github.com/Octocat');
    assert.match(String(user.avatar_url), /^http:\/\/127\.0\.0\.1:\d+\/avatars\/u\/583231/);
    const avatar = await fetch(String(user.avatar_url));
    assert.equal(avatar.headers.get('content-type'), 'image/svg+xml');

    // JSON body in, JSON out (the other form clients use).
    const again = await authorize({ client_id: CLIENT.clientId }, 'octocat');
    const res = await fetch(gh.tokenUrl, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, code: again.get('code') }),
    });
    assert.match(((await res.json()) as { access_token: string }).access_token, /^gho_/);
  });

  test('HTTP Basic client authentication is accepted', async () => {
    const query = await authorize({ client_id: CLIENT.clientId }, 'octocat');
    const res = await fetch(gh.tokenUrl, {
      method: 'POST',
      headers: {
        accept: 'application/json',
        authorization: `Basic ${Buffer.from(`${CLIENT.clientId}:${CLIENT.clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ code: query.get('code') ?? '' }),
    });
    assert.match(((await res.json()) as { access_token: string }).access_token, /^gho_/);
  });

  test('a wrong client secret is refused without a token', async () => {
    const query = await authorize({ client_id: CLIENT.clientId }, 'octocat');
    const body = await exchange({ client_id: CLIENT.clientId, client_secret: 'wrong', code: query.get('code') ?? '' });
    assert.equal(body.error, 'incorrect_client_credentials');
    assert.equal(body.access_token, undefined);
  });

  test('a code is single-use, and an unknown code is refused', async () => {
    const query = await authorize({ client_id: CLIENT.clientId }, 'octocat');
    const params = { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, code: query.get('code') ?? '' };
    assert.match((await exchange(params)).access_token ?? '', /^gho_/);
    const reused = await exchange(params);
    assert.equal(reused.error, 'bad_verification_code');
    assert.equal(reused.access_token, undefined);
    const made_up = await exchange({ ...params, code: randomBytes(10).toString('hex') });
    assert.equal(made_up.error, 'bad_verification_code');
  });

  test('an expired code is refused', async () => {
    const shortLived = await startGitHubOAuthServer({ users: [OCTO], clients: [CLIENT], codeTtlMs: 1 });
    try {
      const res = await fetch(shortLived.authorizationUrl, {
        method: 'POST',
        body: new URLSearchParams({ client_id: CLIENT.clientId, account: 'octocat' }),
        redirect: 'manual',
      });
      const code = new URL(res.headers.get('location') ?? '').searchParams.get('code') ?? '';
      await new Promise((r) => setTimeout(r, 10));
      const answer = await fetch(shortLived.tokenUrl, {
        method: 'POST',
        headers: { accept: 'application/json' },
        body: new URLSearchParams({ client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, code }),
      });
      assert.equal(((await answer.json()) as { error: string }).error, 'bad_verification_code');
    } finally {
      await shortLived.close();
    }
  });

  test('redirect_uri must match: at authorize (no redirect) and at the exchange', async () => {
    const res = await fetch(
      `${gh.authorizationUrl}?client_id=${CLIENT.clientId}&redirect_uri=${encodeURIComponent('http://evil.example/cb')}`,
      { redirect: 'manual' },
    );
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('location'), null);
    const unknownClient = await fetch(`${gh.authorizationUrl}?client_id=nope`, { redirect: 'manual' });
    assert.equal(unknownClient.status, 404);

    const query = await authorize({ client_id: CLIENT.clientId }, 'octocat');
    const body = await exchange({
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
      code: query.get('code') ?? '',
      redirect_uri: 'http://127.0.0.1:1/other',
    });
    assert.equal(body.error, 'redirect_uri_mismatch');
  });

  test('PKCE S256: the right verifier is accepted, a wrong or missing one refused', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const start = { client_id: CLIENT.clientId, code_challenge: challenge, code_challenge_method: 'S256' };
    const secret = { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret };

    const ok = await authorize(start, 'octocat');
    assert.match(
      (await exchange({ ...secret, code: ok.get('code') ?? '', code_verifier: verifier })).access_token ?? '',
      /^gho_/,
    );

    const wrong = await authorize(start, 'octocat');
    const refused = await exchange({ ...secret, code: wrong.get('code') ?? '', code_verifier: `${verifier}x` });
    assert.equal(refused.error, 'bad_verification_code');

    const missing = await authorize(start, 'octocat');
    assert.equal((await exchange({ ...secret, code: missing.get('code') ?? '' })).error, 'bad_verification_code');
  });

  test('Cancel redirects back with access_denied and the state', async () => {
    const res = await fetch(gh.authorizationUrl, {
      method: 'POST',
      body: new URLSearchParams({ client_id: CLIENT.clientId, state: 'st', deny: '1' }),
      redirect: 'manual',
    });
    const back = new URL(res.headers.get('location') ?? '').searchParams;
    assert.equal(back.get('error'), 'access_denied');
    assert.equal(back.get('state'), 'st');
    assert.equal(back.get('code'), null);
  });

  test('the API wants a token, a User-Agent, and the user:email scope for /user/emails', async () => {
    assert.equal((await fetch(`${gh.url}/user`, { headers: { 'user-agent': 't' } })).status, 401);
    const bad = await api('/user', 'gho_made_up');
    assert.equal(bad.status, 401);
    assert.equal(((await bad.json()) as { message: string }).message, 'Bad credentials');

    const tokenFor = async (scope: string) => {
      const query = await authorize({ client_id: CLIENT.clientId, scope }, 'quiet-one');
      const secret = { client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret };
      return (await exchange({ ...secret, code: query.get('code') ?? '' })).access_token ?? '';
    };
    assert.equal((await api('/user/emails', await tokenFor('read:user'))).status, 404);

    const token = await tokenFor('read:user user:email');
    const noAgent = await fetch(`${gh.url}/user`, { headers: { authorization: `token ${token}`, 'user-agent': '' } });
    assert.equal(noAgent.status, 403);
    const user = (await (await api('/user', token)).json()) as { email: string | null };
    assert.equal(user.email, null, 'a hidden e-mail is not on /user');
    const emails = (await (await api('/user/emails', token)).json()) as { email: string; primary: boolean }[];
    assert.deepEqual(
      emails.filter((e) => e.primary).map((e) => e.email),
      ['quiet@example.com'],
    );
  });

  test('a renamed user keeps the numeric id; auto-approve skips the page', async () => {
    const server = await startGitHubOAuthServer({ users: [{ ...OCTO }], clients: [CLIENT], autoApprove: 'octocat' });
    try {
      server.updateUser(OCTO.id, { login: 'octo-renamed' });
      server.setAutoApprove('octo-renamed');
      const res = await fetch(`${server.authorizationUrl}?client_id=${CLIENT.clientId}&state=a`, {
        redirect: 'manual',
      });
      assert.equal(res.status, 302);
      const code = new URL(res.headers.get('location') ?? '').searchParams.get('code') ?? '';
      const token = (await (
        await fetch(server.tokenUrl, {
          method: 'POST',
          headers: { accept: 'application/json' },
          body: new URLSearchParams({ client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, code }),
        })
      ).json()) as { access_token: string };
      const user = (await (
        await fetch(`${server.url}/user`, {
          headers: { authorization: `Bearer ${token.access_token}`, 'user-agent': 't' },
        })
      ).json()) as { id: number; login: string };
      assert.deepEqual({ id: user.id, login: user.login }, { id: OCTO.id, login: 'octo-renamed' });
      assert.ok(server.requests.some((r) => r.path === '/login/oauth/access_token'));
    } finally {
      await server.close();
    }
  });
});
