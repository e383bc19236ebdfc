import { z } from 'zod';

const GitHubUserSchema = z.object({
  id: z.number().int().positive(),
  login: z.string().regex(/^[A-Za-z0-9-]{1,39}$/),
  name: z.string().nullish(),
  email: z.string().nullish(),
  avatar_url: z.string().nullish(),
});
const GitHubEmailsSchema = z.array(z.object({ email: z.string(), primary: z.boolean(), verified: z.boolean() }));

export interface GitHubProfile {
  /** GitHub's numeric user id as a string: the account key (logins can be renamed). */
  id: string;
  login: string;
  name: string;
  email: string;
  emailVerified: boolean;
  image: string | undefined;
}

/**
 * GitHub's user, from `/user` and `/user/emails` of the configured api (not OpenID: GitHub has no ID token). A user
 * without a verified primary e-mail gets GitHub's own no-reply address, which is unique per id.
 */
export async function fetchGitHubProfile(apiUrl: string, accessToken: string): Promise<GitHubProfile> {
  const get = async (path: string) => {
    const res = await fetch(new URL(path, apiUrl), {
      headers: {
        authorization: `Bearer ${accessToken}`,
        accept: 'application/vnd.github+json',
        'user-agent': 'neuronetiq-web',
      },
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`GitHub ${path} answered ${res.status}`);
    return res.json();
  };
  const user = GitHubUserSchema.parse(await get('/user'));
  const emails = GitHubEmailsSchema.safeParse(await get('/user/emails').catch(() => []));
  const primary = emails.success ? emails.data.find((e) => e.primary && e.verified) : undefined;
  return {
    id: String(user.id),
    login: user.login,
    name: user.name?.trim() || user.login,
    email: (primary?.email ?? `${user.id}+${user.login}@users.noreply.github.com`).toLowerCase(),
    emailVerified: primary !== undefined,
    image: user.avatar_url ?? undefined,
  };
}
