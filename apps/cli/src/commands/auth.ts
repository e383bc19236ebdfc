import { hostname } from 'node:os';
import { createVendorClient, HttpError } from '@neuronetiq/client';
import { writeConfig } from '../config';
import type { Context } from '../context';
import { CliError } from '../output';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const keyLabel = (key: string) => `${key.slice(0, 16)}…`;

function remember(ctx: Context, entry: { api_key: string; owner: string; key_id: string | null }): void {
  ctx.config.hosts[ctx.apiUrl] = { ...entry, logged_in_at: new Date().toISOString() };
  ctx.config.default_api_url = ctx.apiUrl;
  writeConfig(ctx.configFile, ctx.config);
}

/** `mp login --api-key <key>`: checks the key with the api, then stores it. */
async function loginWithKey(ctx: Context, apiKey: string): Promise<void> {
  const me = await createVendorClient({ baseUrl: ctx.apiUrl, token: apiKey }).me();
  if (me.kind !== 'vendor')
    throw new CliError('--api-key must be a vendor API key (mp_…), not a session or service key');
  remember(ctx, { api_key: apiKey, owner: me.owner, key_id: me.key.id });
  ctx.out.say(
    `${ctx.out.green('✓')} Logged in to ${ctx.apiUrl} as ${ctx.out.bold(me.owner)} (key ${keyLabel(apiKey)})`,
  );
  ctx.out.data({ api_url: ctx.apiUrl, owner: me.owner, key_id: me.key.id, config: ctx.configFile });
}

/** `mp login`: the device flow (RFC 8628), as `gh auth login` does it. */
export async function login(ctx: Context, o: { apiKey?: string; clientName?: string }): Promise<void> {
  if (o.apiKey) return loginWithKey(ctx, o.apiKey);
  const api = ctx.anonymous();
  const code = await api.startDeviceLogin(o.clientName ?? `mp on ${hostname()}`.slice(0, 80));
  // The code goes to stdout even in --json mode (as a first JSON line): a script driving the login must show it.
  if (ctx.out.json) {
    ctx.out.streams.stdout.write(
      `${JSON.stringify({ user_code: code.user_code, verification_uri: code.verification_uri, verification_uri_complete: code.verification_uri_complete, expires_in: code.expires_in })}\n`,
    );
  } else {
    ctx.out.say(`! First copy your one-time code: ${ctx.out.bold(code.user_code)}`);
    ctx.out.say(`Open ${code.verification_uri_complete} in your browser, sign in and approve.`);
    ctx.out.say(
      ctx.out.dim(
        `Waiting for approval (the code expires in ${Math.round(code.expires_in / 60)} min; Ctrl-C cancels) …`,
      ),
    );
  }
  let intervalMs = code.interval * 1000;
  const deadline = Date.now() + code.expires_in * 1000;
  while (Date.now() < deadline) {
    await sleep(intervalMs);
    const poll = await api.pollDeviceLogin(code.device_code);
    if (poll.ok) {
      remember(ctx, { api_key: poll.token.api_key, owner: poll.token.owner, key_id: poll.token.key_id });
      ctx.out.say(
        `${ctx.out.green('✓')} Logged in to ${ctx.apiUrl} as ${ctx.out.bold(poll.token.owner)}; key saved to ${ctx.configFile}`,
      );
      ctx.out.data({ api_url: ctx.apiUrl, owner: poll.token.owner, key_id: poll.token.key_id, config: ctx.configFile });
      return;
    }
    switch (poll.error) {
      case 'authorization_pending':
        continue;
      case 'slow_down':
        intervalMs += 5_000;
        continue;
      case 'access_denied':
        throw new CliError('the login was denied in the browser; run `mp login` again to retry');
      case 'expired_token':
        throw new CliError('the code expired before it was approved; run `mp login` again');
    }
  }
  throw new CliError('the code expired before it was approved; run `mp login` again');
}

/** `mp logout`: revokes the stored key at the api and forgets it. */
export async function logout(ctx: Context): Promise<void> {
  const host = ctx.host;
  if (!host) {
    if (ctx.keySource === 'env') {
      throw new CliError(
        'mp has no stored login to remove; the key comes from MP_API_KEY in your environment: unset it',
      );
    }
    throw new CliError(`you are not logged in to ${ctx.apiUrl}; nothing to do`);
  }
  let revoked = false;
  if (host.key_id) {
    try {
      await createVendorClient({ baseUrl: ctx.apiUrl, token: host.api_key }).revokeKey(host.key_id);
      revoked = true;
    } catch (err) {
      // Already revoked (401) or gone (404): forgetting it is all that is left to do.
      if (!(err instanceof HttpError && (err.status === 401 || err.status === 404))) throw err;
    }
  }
  delete ctx.config.hosts[ctx.apiUrl];
  if (ctx.config.default_api_url === ctx.apiUrl) delete ctx.config.default_api_url;
  writeConfig(ctx.configFile, ctx.config);
  ctx.out.say(
    `${ctx.out.green('✓')} Logged out of ${ctx.apiUrl}; key ${keyLabel(host.api_key)} ${revoked ? 'revoked' : 'was already revoked'} and forgotten`,
  );
  ctx.out.data({ api_url: ctx.apiUrl, revoked, key_id: host.key_id });
}

/** `mp whoami`. */
export async function whoami(ctx: Context): Promise<void> {
  const me = await ctx.client().me();
  ctx.out.data({ api_url: ctx.apiUrl, key_source: ctx.keySource, ...me });
  if (me.kind === 'vendor') {
    ctx.out.say(
      `${ctx.out.bold(me.owner)} on ${ctx.apiUrl} (key mp_${me.key.prefix}…, scopes ${me.key.scopes.join(', ')}; from ${ctx.keySource === 'env' ? 'MP_API_KEY' : ctx.configFile})`,
    );
  } else if (me.kind === 'user') {
    ctx.out.say(`${ctx.out.bold(me.owner)} on ${ctx.apiUrl} (a ${me.provider} session)`);
  } else {
    ctx.out.say(`the service principal on ${ctx.apiUrl}`);
  }
}
