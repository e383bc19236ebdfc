import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1');
const secret = z.string().min(32, { error: 'must be at least 32 characters' });
const origin = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).transform((v) => new URL(v).origin);

/**
 * Every variable the web app reads, with its default. Read lazily (`getEnv()` at request time, never at import):
 * `next build` imports every route module without the secrets.
 */
const WEB_URL = origin.default('http://localhost:3000');

export const EnvSchema = z
  .object({
    /** Port of `next start` (scripts/serve.ts). */
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    /** Interface to listen on. */
    HOST: z.string().default('0.0.0.0'),
    /**
     * The one origin people and OAuth providers use (callback URLs, cookies). Requests for another host are
     * redirected to it: a sign-in begun on 127.0.0.1 would otherwise lose its state cookie at localhost.
     */
    WEB_URL,
    /** Base URL of the Infrastructure API. */
    INFRA_API_URL: origin.default('http://127.0.0.1:8787'),
    /** PostgreSQL holding the sign-in sessions (schema better_auth); the platform's database. */
    DATABASE_URL: z.string().url({ error: 'must be a postgres:// URL' }),
    /** Size of the sessions' connection pool. */
    DB_POOL_MAX: z.coerce.number().int().min(1).max(50).default(5),
    /** The api's service key: reports verified identities (POST /api/auth/identity). Never sent to a browser. */
    SERVICE_ROLE_KEY: secret,
    /** HS256 secret of the session tokens minted for api calls (the api's SUPABASE_JWT_SECRET). */
    SUPABASE_JWT_SECRET: secret,
    /** `iss` of the minted tokens: set it to the api's SUPABASE_JWT_ISSUER when that is set. */
    SUPABASE_JWT_ISSUER: z.string().min(1).optional(),
    /** Lifetime of a minted api token in seconds. */
    API_TOKEN_TTL_S: z.coerce.number().int().min(10).max(3600).default(300),
    /** Signs the session cookies (better-auth's secret). */
    BETTER_AUTH_SECRET: secret,
    /** GitHub OAuth app; GitHub sign-in is offered when both are set. */
    GITHUB_CLIENT_ID: z.string().min(1).optional(),
    GITHUB_CLIENT_SECRET: z.string().min(1).optional(),
    /** Where GitHub's /login/oauth/authorize and /login/oauth/access_token live (a local server in tests). */
    GITHUB_OAUTH_URL: origin.default('https://github.com'),
    /** GitHub's REST api (/user, /user/emails). */
    GITHUB_API_URL: origin.default('https://api.github.com'),
    /** Google OAuth client; Google sign-in is offered when both are set. */
    GOOGLE_CLIENT_ID: z.string().min(1).optional(),
    GOOGLE_CLIENT_SECRET: z.string().min(1).optional(),
    /** OpenID issuer whose /.well-known/openid-configuration names Google's endpoints (a local server in tests). */
    GOOGLE_ISSUER: z.url({ error: 'must be an http(s) URL' }).default('https://accounts.google.com'),
    /** Development sign-in (type any GitHub login, no password). Refused unless WEB_URL is a loopback origin. */
    AUTH_DEV_LOGIN: bool.default(false),
    /**
     * Set by Vercel on every deployment (production, preview, development). Where it is set the development sign-in is
     * refused whatever WEB_URL says: a preview left on the default WEB_URL is still public.
     */
    VERCEL_ENV: z.string().optional(),
  })
  .superRefine((env, ctx) => {
    if (env.AUTH_DEV_LOGIN && env.VERCEL_ENV) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUTH_DEV_LOGIN'],
        message: `must not be true on a Vercel deployment (VERCEL_ENV=${env.VERCEL_ENV}): the development sign-in lets anyone be anyone`,
      });
      return;
    }
    const host = new URL(env.WEB_URL).hostname;
    if (env.AUTH_DEV_LOGIN && !['localhost', '127.0.0.1', '[::1]'].includes(host)) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUTH_DEV_LOGIN'],
        message: `must not be true when WEB_URL is ${env.WEB_URL}: the development sign-in lets anyone be anyone`,
      });
    }
  });
export type Env = z.infer<typeof EnvSchema>;

export function parseEnv(source: Record<string, string | undefined>): Env {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid environment:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

let cached: Env | undefined;
/** The parsed environment, on first use. */
export function getEnv(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

let webUrl: string | undefined;
/** WEB_URL alone, for the request proxy: it must answer (redirect) even where the rest is not configured. */
export function getWebUrl(): string {
  webUrl ??= WEB_URL.parse(process.env.WEB_URL);
  return webUrl;
}
