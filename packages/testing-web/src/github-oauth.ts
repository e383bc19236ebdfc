// A local stand-in for GitHub's OAuth app flow and the two REST endpoints a sign-in reads, so that browser tests run
// the real authorization-code flow without the internet. It answers as github.com and api.github.com do (paths, field
// names, errors in a 200 body on the token endpoint, `Bad credentials` on the API), and is strict where GitHub is:
// codes are single-use and expire, redirect_uri must match, the API wants a User-Agent, /user/emails wants a scope.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  basicCredentials,
  errorPage,
  listenOnLoopback,
  pickerPage,
  readParams,
  redirect,
  sendHtml,
  sendJson,
} from './http';

export interface GitHubUser {
  /** GitHub's numeric user id: stable across renames. */
  id: number;
  login: string;
  name?: string | null;
  /** The public profile e-mail (`/user`'s `email`); null when the user hides it. */
  email?: string | null;
  /** What `/user/emails` lists; defaults to the public e-mail as primary and verified. */
  emails?: { email: string; primary: boolean; verified: boolean; visibility?: 'public' | 'private' | null }[];
}

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
  /** Exact callback URLs this client may use. */
  redirectUris: string[];
}

export interface GitHubOAuthOptions {
  users: GitHubUser[];
  clients: OAuthClient[];
  /** Skip the approval page and sign in as this login at once. */
  autoApprove?: string;
  /** Lifetime of an authorization code (GitHub: 10 minutes). */
  codeTtlMs?: number;
}

export interface GitHubOAuthServer {
  /** Base URL of both "github.com" and "api.github.com" here, e.g. `http://127.0.0.1:41234`. */
  url: string;
  authorizationUrl: string;
  tokenUrl: string;
  userUrl: string;
  emailsUrl: string;
  /** Later sign-ins see the user as changed here (a rename keeps the numeric id). */
  updateUser(id: number, change: Partial<Omit<GitHubUser, 'id'>>): void;
  /** Sign in as this login without the approval page from now on (undefined: show the page again). */
  setAutoApprove(login: string | undefined): void;
  /** Every request seen, in order: lets a test check what the app sent (PKCE, scopes). */
  readonly requests: readonly { method: string; path: string; params: Record<string, string> }[];
  close(): Promise<void>;
}

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  userId: number;
  scopes: string[];
  challenge?: { value: string; method: 'S256' | 'plain' };
  expiresAt: number;
}

const DOCS = 'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors';

function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export async function startGitHubOAuthServer(options: GitHubOAuthOptions): Promise<GitHubOAuthServer> {
  const users = new Map(options.users.map((u) => [u.id, { ...u }]));
  const clients = new Map(options.clients.map((c) => [c.clientId, c]));
  const codes = new Map<string, IssuedCode>();
  const tokens = new Map<string, { userId: number; scopes: string[] }>();
  const requests: { method: string; path: string; params: Record<string, string> }[] = [];
  const codeTtlMs = options.codeTtlMs ?? 10 * 60_000;
  let autoApprove = options.autoApprove;
  let baseUrl = '';

  const findByLogin = (login: string) => [...users.values()].find((u) => u.login.toLowerCase() === login.toLowerCase());

  const userBody = (u: GitHubUser) => ({
    login: u.login,
    id: u.id,
    node_id: Buffer.from(`04:User${u.id}`).toString('base64'),
    avatar_url: `${baseUrl}/avatars/u/${u.id}?v=4`,
    gravatar_id: '',
    url: `${baseUrl}/users/${u.login}`,
    html_url: `https://github.com/${u.login}`,
    type: 'User',
    site_admin: false,
    name: u.name ?? null,
    company: null,
    blog: '',
    location: null,
    email: u.email ?? null,
    bio: null,
    created_at: '2020-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
  });

  async function authorize(req: IncomingMessage, res: ServerResponse, query: URLSearchParams) {
    const params = req.method === 'POST' ? await readParams(req) : Object.fromEntries(query);
    const client = clients.get(params.client_id ?? '');
    if (!client) return sendHtml(res, 404, errorPage('Not found', 'No OAuth app has this client_id.'));
    const redirectUri = params.redirect_uri ?? client.redirectUris[0] ?? '';
    if (!client.redirectUris.includes(redirectUri)) {
      return sendHtml(
        res,
        400,
        errorPage(
          'Redirect URI mismatch',
          `The redirect_uri MUST match the registered callback URL for this app: got "${redirectUri}", registered ${client.redirectUris.map((u) => `"${u}"`).join(', ')}.`,
        ),
      );
    }
    const back = new URL(redirectUri);
    if (params.state !== undefined) back.searchParams.set('state', params.state);
    const method = params.code_challenge_method ?? (params.code_challenge ? 'plain' : undefined);
    if (method !== undefined && method !== 'S256' && method !== 'plain') {
      back.searchParams.set('error', 'invalid_request');
      back.searchParams.set('error_description', 'code_challenge_method must be S256 or plain');
      return redirect(res, back.toString());
    }
    const chosen = req.method === 'POST' ? params.account : autoApprove;
    if (req.method === 'POST' && params.deny) {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'The user has denied your application access.');
      return redirect(res, back.toString());
    }
    if (chosen === undefined) {
      const { account: _a, deny: _d, ...hidden } = params;
      return sendHtml(
        res,
        200,
        pickerPage({
          title: `Authorize ${client.clientId} (GitHub stand-in)`,
          action: '/login/oauth/authorize',
          hidden: { ...hidden, redirect_uri: redirectUri },
          choices: [...users.values()].map((u) => ({ account: u.login, label: u.login })),
        }),
      );
    }
    const user = findByLogin(chosen);
    if (!user) return sendHtml(res, 400, errorPage('Unknown user', `No configured user has the login "${chosen}".`));
    const code = randomBytes(10).toString('hex');
    codes.set(code, {
      clientId: client.clientId,
      redirectUri,
      userId: user.id,
      scopes: (params.scope ?? '')
        .split(/[ ,]+/)
        .map((s) => s.trim())
        .filter(Boolean),
      challenge: params.code_challenge
        ? { value: params.code_challenge, method: method === 'S256' ? 'S256' : 'plain' }
        : undefined,
      expiresAt: Date.now() + codeTtlMs,
    });
    back.searchParams.set('code', code);
    return redirect(res, back.toString());
  }

  async function accessToken(req: IncomingMessage, res: ServerResponse, params: Record<string, string>) {
    const wantsJson = (req.headers.accept ?? '').includes('application/json');
    const answer = (body: Record<string, string>) => {
      if (wantsJson) return sendJson(res, 200, body);
      res.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' });
      res.end(new URLSearchParams(body).toString());
    };
    // GitHub reports token errors with HTTP 200 and an `error` field; clients must read the body, as they must here.
    const fail = (error: string, description: string) =>
      answer({ error, error_description: description, error_uri: `${DOCS}#${error.replace(/_/g, '-')}` });

    const basic = basicCredentials(req);
    const clientId = basic?.id ?? params.client_id ?? '';
    const clientSecret = basic?.secret ?? params.client_secret ?? '';
    const client = clients.get(clientId);
    if (!client || !sameSecret(client.clientSecret, clientSecret)) {
      return fail('incorrect_client_credentials', 'The client_id and/or client_secret passed are incorrect.');
    }
    const code = params.code ?? '';
    const issued = codes.get(code);
    // Single use: a code is gone once presented, whether or not the rest of the request is right.
    codes.delete(code);
    if (!issued || issued.clientId !== client.clientId || issued.expiresAt < Date.now()) {
      return fail('bad_verification_code', 'The code passed is incorrect or expired.');
    }
    if (params.redirect_uri !== undefined && params.redirect_uri !== issued.redirectUri) {
      return fail(
        'redirect_uri_mismatch',
        'The redirect_uri MUST match the registered callback URL for this application.',
      );
    }
    if (issued.challenge) {
      const verifier = params.code_verifier ?? '';
      const derived =
        issued.challenge.method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
      if (!verifier || derived !== issued.challenge.value) {
        return fail('bad_verification_code', 'The code_verifier does not match the code_challenge.');
      }
    }
    const token = `gho_${randomBytes(27).toString('base64url').slice(0, 36)}`;
    tokens.set(token, { userId: issued.userId, scopes: issued.scopes });
    return answer({ access_token: token, token_type: 'bearer', scope: issued.scopes.join(',') });
  }

  function api(req: IncomingMessage, res: ServerResponse, path: string) {
    if (!req.headers['user-agent']) {
      return sendJson(res, 403, {
        message:
          'Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required).',
      });
    }
    const header = req.headers.authorization ?? '';
    const match = /^(?:bearer|token)\s+(\S+)$/i.exec(header);
    if (!match) {
      return sendJson(res, 401, {
        message: 'Requires authentication',
        documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user',
        status: '401',
      });
    }
    const grant = tokens.get(match[1] as string);
    const user = grant && users.get(grant.userId);
    if (!grant || !user) {
      return sendJson(res, 401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
        status: '401',
      });
    }
    if (path === '/user') return sendJson(res, 200, userBody(user));
    if (!grant.scopes.includes('user:email') && !grant.scopes.includes('user')) {
      return sendJson(res, 404, {
        message: 'Not Found',
        documentation_url: 'https://docs.github.com/rest/users/emails#list-email-addresses-for-the-authenticated-user',
        status: '404',
      });
    }
    const emails =
      user.emails ?? (user.email ? [{ email: user.email, primary: true, verified: true, visibility: 'public' }] : []);
    return sendJson(
      res,
      200,
      emails.map((e) => ({
        email: e.email,
        primary: e.primary,
        verified: e.verified,
        visibility: e.visibility ?? null,
      })),
    );
  }

  const listening = await listenOnLoopback(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const params = req.method === 'POST' && path === '/login/oauth/access_token' ? await readParams(req) : {};
    requests.push({
      method: req.method ?? 'GET',
      path,
      params: { ...Object.fromEntries(url.searchParams), ...params },
    });
    if (path === '/login/oauth/authorize' && (req.method === 'GET' || req.method === 'POST')) {
      return authorize(req, res, url.searchParams);
    }
    if (path === '/login/oauth/access_token') {
      if (req.method !== 'POST') return sendJson(res, 404, { error: 'Not Found' });
      return accessToken(req, res, { ...Object.fromEntries(url.searchParams), ...params });
    }
    if ((path === '/user' || path === '/user/emails') && req.method === 'GET') return api(req, res, path);
    if (path.startsWith('/avatars/u/') && req.method === 'GET') {
      const id = Number(path.slice('/avatars/u/'.length));
      const hue = (id * 47) % 360;
      res.writeHead(200, { 'content-type': 'image/svg+xml', 'cache-control': 'max-age=3600' });
      res.end(
        `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="hsl(${hue} 60% 55%)"/></svg>`,
      );
      return;
    }
    return sendJson(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
  });
  baseUrl = listening.url;

  return {
    url: baseUrl,
    authorizationUrl: `${baseUrl}/login/oauth/authorize`,
    tokenUrl: `${baseUrl}/login/oauth/access_token`,
    userUrl: `${baseUrl}/user`,
    emailsUrl: `${baseUrl}/user/emails`,
    updateUser(id, change) {
      const user = users.get(id);
      if (!user) throw new Error(`no configured GitHub user has the id ${id}`);
      Object.assign(user, change);
    },
    setAutoApprove(login) {
      autoApprove = login;
    },
    requests,
    close: listening.close,
  };
}
