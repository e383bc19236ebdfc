import type { IdentityProvider } from '@neuronetiq/contracts';
import { type BetterAuthOptions, betterAuth } from 'better-auth';
import { APIError, createAuthEndpoint } from 'better-auth/api';
import { setSessionCookie } from 'better-auth/cookies';
import { nextCookies } from 'better-auth/next-js';
import { type GenericOAuthConfig, genericOAuth } from 'better-auth/plugins/generic-oauth';
import { PostgresDialect } from 'kysely';
import { Pool } from 'pg';
import { z } from 'zod';
import { type Env, getEnv } from '../env';
import { fetchGitHubProfile } from './github';
import { reportIdentity } from './identity';

/**
 * Endpoints better-auth would serve that this app must not: a user-editable profile (`/update-user` would let a user
 * rename their owner), passwords and e-mail sign-up, account linking (each identity is its own user, as in the api).
 */
export const DISABLED_AUTH_PATHS = [
  '/update-user',
  '/update-session',
  '/sign-up/email',
  '/sign-in/email',
  '/change-email',
  '/change-password',
  '/set-password',
  '/request-password-reset',
  '/reset-password',
  '/send-verification-email',
  '/verify-email',
  '/delete-user',
  '/link-social',
  '/unlink-account',
];

export const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;

/**
 * better-auth's user e-mail is unique and drives its account linking; each provider identity is a user of its own
 * here (the api maps them to owners independently), so the address is derived from the identity, never shared.
 */
const identityEmail = (provider: string, subject: string) =>
  `${provider}-${subject.toLowerCase().replace(/[^a-z0-9._-]/g, '_')}@identities.neuronetiq.invalid`;

function providers(env: Env): GenericOAuthConfig[] {
  const configs: GenericOAuthConfig[] = [];
  if (env.GITHUB_CLIENT_ID && env.GITHUB_CLIENT_SECRET) {
    configs.push({
      providerId: 'github',
      name: 'GitHub',
      clientId: env.GITHUB_CLIENT_ID,
      clientSecret: env.GITHUB_CLIENT_SECRET,
      authorizationUrl: `${env.GITHUB_OAUTH_URL}/login/oauth/authorize`,
      tokenUrl: `${env.GITHUB_OAUTH_URL}/login/oauth/access_token`,
      scopes: ['read:user', 'user:email'],
      overrideUserInfo: true,
      async getUserInfo(tokens) {
        if (!tokens.accessToken) return null;
        const p = await fetchGitHubProfile(env.GITHUB_API_URL, tokens.accessToken);
        return { ...p, id: p.id };
      },
      async mapProfileToUser(profile) {
        const id = String(profile.id);
        const identity = await reportIdentity({
          provider: 'github',
          provider_user_id: id,
          user_name: String(profile.login),
          email: profile.emailVerified ? String(profile.email) : undefined,
          name: typeof profile.name === 'string' ? profile.name : undefined,
          avatar_url: typeof profile.image === 'string' ? profile.image : undefined,
        });
        return {
          email: identityEmail('github', id),
          emailVerified: true,
          owner: identity.owner,
          apiUserId: identity.user_id,
          provider: 'github',
          login: String(profile.login),
        };
      },
    });
  }
  if (env.GOOGLE_CLIENT_ID && env.GOOGLE_CLIENT_SECRET) {
    configs.push({
      providerId: 'google',
      name: 'Google',
      clientId: env.GOOGLE_CLIENT_ID,
      clientSecret: env.GOOGLE_CLIENT_SECRET,
      discoveryUrl: `${env.GOOGLE_ISSUER.replace(/\/$/, '')}/.well-known/openid-configuration`,
      requireIdTokenVerification: true,
      scopes: ['openid', 'email', 'profile'],
      overrideUserInfo: true,
      async mapProfileToUser(profile) {
        const sub = String(profile.sub ?? profile.id);
        const email = typeof profile.email === 'string' ? profile.email : undefined;
        if (!email || profile.emailVerified !== true) {
          throw new APIError('FORBIDDEN', { message: 'Google did not confirm an e-mail address for this account' });
        }
        const identity = await reportIdentity({
          provider: 'google',
          provider_user_id: sub,
          email,
          name: typeof profile.name === 'string' ? profile.name : undefined,
          avatar_url: typeof profile.image === 'string' ? profile.image : undefined,
        });
        return {
          email: identityEmail('google', sub),
          emailVerified: true,
          owner: identity.owner,
          apiUserId: identity.user_id,
          provider: 'google',
          login: email.split('@')[0],
        };
      },
    });
  }
  return configs;
}

/** `POST /api/auth/dev/sign-in {login}`: the development sign-in, registered only when AUTH_DEV_LOGIN is on. */
function devLogin() {
  return {
    id: 'dev-login',
    endpoints: {
      devSignIn: createAuthEndpoint(
        '/dev/sign-in',
        { method: 'POST', body: z.object({ login: z.string().regex(GITHUB_LOGIN) }) },
        async (ctx) => {
          const login = ctx.body.login;
          const identity = await reportIdentity({
            provider: 'github',
            provider_user_id: `dev:${login.toLowerCase()}`,
            user_name: login,
          });
          const email = identityEmail('dev', login);
          const adapter = ctx.context.internalAdapter;
          const fields = { owner: identity.owner, apiUserId: identity.user_id, provider: 'github', login };
          const found = await adapter.findUserByEmail(email);
          const user = found
            ? await adapter.updateUser(found.user.id, fields)
            : await adapter.createUser({ email, emailVerified: true, name: login, ...fields }, { method: 'dev-login' });
          if (!user) throw new APIError('INTERNAL_SERVER_ERROR', { message: 'could not create the user' });
          const session = await adapter.createSession(user.id, false);
          await setSessionCookie(ctx, { session, user });
          return ctx.json({ owner: identity.owner });
        },
      ),
    },
  } as const;
}

/** better-auth's configuration (exported for the schema test, which asks better-auth what tables it expects). */
export function authOptions(env: Env, pool: Pool) {
  return {
    appName: 'NeuronetIQ Trader',
    baseURL: env.WEB_URL,
    basePath: '/api/auth',
    secret: env.BETTER_AUTH_SECRET,
    trustedOrigins: [env.WEB_URL],
    database: {
      dialect: new PostgresDialect({ pool }),
      type: 'postgres',
      schemaName: 'better_auth',
      transaction: false,
    },
    disabledPaths: DISABLED_AUTH_PATHS,
    emailAndPassword: { enabled: false },
    account: { accountLinking: { enabled: false } },
    user: {
      additionalFields: {
        // Written by this server from what the api answered; `/update-user` is disabled, so no client can set them.
        owner: { type: 'string', required: false },
        apiUserId: { type: 'string', required: false },
        provider: { type: 'string', required: false },
        login: { type: 'string', required: false },
      },
    },
    session: { expiresIn: 60 * 60 * 24 * 7, updateAge: 60 * 60 * 24 },
    advanced: { cookiePrefix: 'nq', useSecureCookies: env.WEB_URL.startsWith('https:') },
    plugins: [
      genericOAuth({ config: providers(env) }),
      ...(env.AUTH_DEV_LOGIN ? [devLogin()] : []),
      // Last: sets the cookies of auth calls made from server actions.
      nextCookies(),
    ],
  } satisfies BetterAuthOptions;
}

/** The pool better-auth keeps its users and sessions in. */
export function createAuthPool(env: Env): Pool {
  const pool = new Pool({ connectionString: env.DATABASE_URL, max: env.DB_POOL_MAX, application_name: 'web-auth' });
  // An idle connection the server closes (a PostgreSQL restart, Supabase's pooler recycling it) emits 'error' on the
  // pool; unheard, that ends the process. The pool drops the connection and opens a new one on the next query.
  pool.on('error', (err) => console.warn(`web-auth: idle database connection closed (${err.message})`));
  // The same for a connection in use between two statements: its next statement fails instead (see packages/db client).
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  return pool;
}

function createAuth(env: Env) {
  return betterAuth(authOptions(env, createAuthPool(env)));
}

type Auth = ReturnType<typeof createAuth>;
let instance: Auth | undefined;
/** The better-auth instance, built on first use (never at import: `next build` has no secrets). */
export function getAuth(): Auth {
  instance ??= createAuth(getEnv());
  return instance;
}

export function enabledProviders(env: Env = getEnv()): IdentityProvider[] {
  const list: IdentityProvider[] = [];
  if (env.GITHUB_CLIENT_ID && env.GITHUB_CLIENT_SECRET) list.push('github');
  if (env.GOOGLE_CLIENT_ID && env.GOOGLE_CLIENT_SECRET) list.push('google');
  return list;
}
