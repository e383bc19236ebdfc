import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { Env } from './env';
import { CliError } from './output';

/** What `mp login` keeps per api (like gh's hosts.yml): a key is only ever sent to the api that issued it. */
const HostSchema = z.object({
  api_key: z.string(),
  owner: z.string(),
  key_id: z.string().nullable(),
  logged_in_at: z.string(),
});
const ConfigSchema = z.object({
  /** The api of the last login: used when neither --api-url nor MP_API_URL says otherwise. */
  default_api_url: z.string().optional(),
  hosts: z.record(z.string(), HostSchema).default({}),
});
export type HostConfig = z.infer<typeof HostSchema>;
export type Config = z.infer<typeof ConfigSchema>;

/** `$XDG_CONFIG_HOME/mp/config.json`, else `~/.config/mp/config.json`. */
export function configPath(env: Env): string {
  return join(env.XDG_CONFIG_HOME ?? join(env.HOME ?? homedir(), '.config'), 'mp', 'config.json');
}

export function readConfig(path: string): Config {
  if (!existsSync(path)) return { hosts: {} };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new CliError(`${path} is not valid JSON; fix it or delete it and run \`mp login\` again`);
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new CliError(`${path} is not an mp config; delete it and run \`mp login\` again`);
  }
  return parsed.data;
}

/** Writes the config readable by its owner only (0600, in a 0700 folder): it holds an API key. */
export function writeConfig(path: string, config: Config): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** The permission bits of the config file, or null when there is none. */
export function configMode(path: string): number | null {
  return existsSync(path) ? statSync(path).mode & 0o777 : null;
}
