// A local stand-in for Google's OpenID Connect provider: a real certified OpenID provider (`oidc-provider`) on a
// loopback port, with Google's endpoint paths and claims. `conformIdTokenClaims: false` puts the scope's claims
// (email, email_verified, name, picture) in the ID token as Google does, so a client that reads them from the ID token
// works here as it will against accounts.google.com. ID tokens are RS256 with a key made for this run.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Provider, { type Configuration } from 'oidc-provider';
import { errorPage, listenOnLoopback, pickerPage, readParams, sendHtml } from './http';

export interface GoogleUser {
  /** Google's `sub`: a stable numeric string. */
  sub: string;
  email: string;
  emailVerified?: boolean;
  name?: string;
  givenName?: string;
  familyName?: string;
}

export interface OidcClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  /** How the client authenticates at the token endpoint (Google accepts both; oidc-provider holds a client to one). */
  tokenEndpointAuthMethod?: 'client_secret_post' | 'client_secret_basic';
}

export interface GoogleOidcOptions {
  users: GoogleUser[];
  clients: OidcClient[];
  /** Skip the account chooser and sign in as this e-mail at once. */
  autoApprove?: string;
}

export interface GoogleOidcServer {
  /** The issuer, e.g. `http://127.0.0.1:41235` (no trailing slash). */
  issuer: string;
  discoveryUrl: string;
  authorizationUrl: string;
  tokenUrl: string;
  userInfoUrl: string;
  jwksUrl: string;
  setAutoApprove(email: string | undefined): void;
  close(): Promise<void>;
}

// Google's paths, so that configuration written for Google reads the same here.
const ROUTES = {
  authorization: '/o/oauth2/v2/auth',
  token: '/token',
  userinfo: '/v1/userinfo',
  jwks: '/oauth2/v3/certs',
  end_session: '/logout',
  revocation: '/revoke',
} as const;

export async function startGoogleOidcServer(options: GoogleOidcOptions): Promise<GoogleOidcServer> {
  const users = new Map(options.users.map((u) => [u.sub, u]));
  let autoApprove = options.autoApprove;
  let provider: Provider | undefined;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = {
    ...privateKey.export({ format: 'jwk' }),
    kid: randomBytes(8).toString('hex'),
    use: 'sig',
    alg: 'RS256',
  };

  async function finishAs(req: IncomingMessage, res: ServerResponse, p: Provider, sub: string) {
    const details = await p.interactionDetails(req, res);
    const clientId = String(details.params.client_id);
    const grant = new p.Grant({ accountId: sub, clientId });
    grant.addOIDCScope(String(details.params.scope ?? 'openid'));
    const grantId = await grant.save();
    await p.interactionFinished(
      req,
      res,
      { login: { accountId: sub }, consent: { grantId } },
      {
        mergeWithLastSubmission: false,
      },
    );
  }

  async function interaction(req: IncomingMessage, res: ServerResponse, p: Provider) {
    const details = await p.interactionDetails(req, res).catch(() => undefined);
    if (!details) return sendHtml(res, 400, errorPage('Session expired', 'Start the sign-in again.'));
    if (req.method === 'POST') {
      const form = await readParams(req);
      if (form.deny) {
        return p.interactionFinished(
          req,
          res,
          { error: 'access_denied', error_description: 'The user denied access.' },
          { mergeWithLastSubmission: false },
        );
      }
      const user = users.get(form.account ?? '');
      if (!user) return sendHtml(res, 400, errorPage('Unknown account', 'Pick one of the listed accounts.'));
      return finishAs(req, res, p, user.sub);
    }
    const chosen = autoApprove && [...users.values()].find((u) => u.email === autoApprove);
    if (chosen) return finishAs(req, res, p, chosen.sub);
    return sendHtml(
      res,
      200,
      pickerPage({
        title: 'Choose an account (Google stand-in)',
        action: `/interaction/${details.uid}`,
        hidden: {},
        choices: [...users.values()].map((u) => ({ account: u.sub, label: u.email })),
      }),
    );
  }

  let callback: ReturnType<Provider['callback']> | undefined;
  const listening = await listenOnLoopback(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://stand-in').pathname;
    if (path.startsWith('/avatars/')) {
      res.writeHead(200, { 'content-type': 'image/svg+xml', 'cache-control': 'max-age=3600' });
      res.end(
        '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="#4285f4"/></svg>',
      );
      return;
    }
    if (!provider || !callback) throw new Error('the OIDC provider is not ready yet');
    if (path.startsWith('/interaction/')) return interaction(req, res, provider);
    const handle = callback;
    await new Promise<void>((resolve) => {
      res.on('close', resolve);
      handle(req, res);
    });
  });

  const configuration: Configuration = {
    clients: options.clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: c.redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: c.tokenEndpointAuthMethod ?? 'client_secret_post',
      id_token_signed_response_alg: 'RS256',
    })),
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    conformIdTokenClaims: false,
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'picture'],
    },
    scopes: ['openid', 'email', 'profile'],
    findAccount: (_ctx, sub) => {
      const user = users.get(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        claims: () => ({
          sub,
          email: user.email,
          email_verified: user.emailVerified ?? true,
          name: user.name,
          given_name: user.givenName,
          family_name: user.familyName,
          picture: `${listening.url}/avatars/${sub}`,
        }),
      };
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: { devInteractions: { enabled: false }, revocation: { enabled: true } },
    routes: ROUTES,
    // Short-lived everything: a test run lasts minutes.
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 600,
      IdToken: 3600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = errorPage(String(out.error), String(out.error_description ?? ''));
    },
  };
  provider = new Provider(listening.url, configuration);

  callback = provider.callback();

  return {
    issuer: listening.url,
    discoveryUrl: `${listening.url}/.well-known/openid-configuration`,
    authorizationUrl: `${listening.url}${ROUTES.authorization}`,
    tokenUrl: `${listening.url}${ROUTES.token}`,
    userInfoUrl: `${listening.url}${ROUTES.userinfo}`,
    jwksUrl: `${listening.url}${ROUTES.jwks}`,
    setAutoApprove(email) {
      autoApprove = email;
    },
    close: listening.close,
  };
}
