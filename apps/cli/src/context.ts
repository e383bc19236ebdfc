import { createVendorClient, type VendorClient } from '@neuronetiq/client';
import { type Config, configPath, type HostConfig, readConfig } from './config';
import type { Env } from './env';
import { CliError, type Out } from './output';

export const DEFAULT_API_URL = 'http://127.0.0.1:8787';

/** Options every command accepts (commander's globals). */
export interface GlobalOptions {
  apiUrl?: string;
  json?: boolean;
  color?: boolean;
}

/** Everything a command needs: where the api is, which key to use, how to print. */
export interface Context {
  env: Env;
  out: Out;
  configFile: string;
  config: Config;
  apiUrl: string;
  /** Where the key comes from: the environment (MP_API_KEY), the config of this api, or nowhere. */
  keySource: 'env' | 'config' | 'none';
  host: HostConfig | undefined;
  token: string | undefined;
  /** A client without credentials (device flow, health). */
  anonymous(): VendorClient;
  /** A client with the key; a helpful error when there is none. */
  client(): VendorClient;
  /** The owner the key acts as (from the login, else asked of the api). */
  owner(): Promise<string>;
}

export const normaliseUrl = (url: string) => url.replace(/\/+$/, '');

export function createContext(env: Env, out: Out, options: GlobalOptions): Context {
  const file = configPath(env);
  const config = readConfig(file);
  const apiUrl = normaliseUrl(options.apiUrl ?? env.MP_API_URL ?? config.default_api_url ?? DEFAULT_API_URL);
  const host = config.hosts[apiUrl];
  const token = env.MP_API_KEY ?? host?.api_key;
  const keySource = env.MP_API_KEY ? 'env' : host ? 'config' : 'none';
  let owner: string | undefined = keySource === 'config' ? host?.owner : undefined;
  const ctx: Context = {
    env,
    out,
    configFile: file,
    config,
    apiUrl,
    keySource,
    host,
    token,
    anonymous: () => createVendorClient({ baseUrl: apiUrl }),
    client() {
      if (!token) {
        throw new CliError(`you are not logged in to ${apiUrl}; run \`mp login\` (or set MP_API_KEY for scripts)`);
      }
      return createVendorClient({ baseUrl: apiUrl, token });
    },
    async owner() {
      if (owner) return owner;
      const me = await ctx.client().me();
      if (me.kind === 'service') {
        throw new CliError('the service key has no owner of its own; use a vendor API key (`mp login`)');
      }
      owner = me.owner;
      return owner;
    },
  };
  return ctx;
}
