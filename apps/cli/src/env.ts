import { z } from 'zod';

/** Every variable mp reads. A bad value stops the command with a message naming the variable. */
export const EnvSchema = z.object({
  /** The api mp talks to (overridden by --api-url); default: the login's api, else the local platform. */
  MP_API_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. http://127.0.0.1:8787' }).optional(),
  /** A vendor API key (`mp_…`) used instead of the one `mp login` stored: for CI. */
  MP_API_KEY: z
    .string()
    .regex(/^mp_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/, { error: 'must be a vendor API key (mp_<12>_<43>)' })
    .optional(),
  /** Set (to anything) to turn colour off (https://no-color.org). */
  NO_COLOR: z.string().optional(),
  /** Where the config folder lives (XDG); default ~/.config. */
  XDG_CONFIG_HOME: z.string().optional(),
  /** The home directory, for ~/.config. */
  HOME: z.string().optional(),
});
export type Env = z.infer<typeof EnvSchema>;

export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  // An empty variable means unset, as most shells' `VAR= mp …` intends.
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${issue?.path.join('.')} ${issue?.message}; fix or unset it`);
  }
  return parsed.data;
}
