import { type IdentityUpsert, type IdentityUpsertResult, IdentityUpsertResultSchema } from '@neuronetiq/contracts';
import { api } from './api';

/**
 * Reports an identity the provider verified to the api, which assigns the owner (once, on the server) and returns the
 * user id the session tokens carry. Optional fields the api would refuse are left out rather than failing a sign-in.
 */
export async function reportIdentity(identity: IdentityUpsert): Promise<IdentityUpsertResult> {
  const body: IdentityUpsert = { provider: identity.provider, provider_user_id: identity.provider_user_id };
  if (identity.user_name) body.user_name = identity.user_name;
  if (identity.email) body.email = identity.email;
  const name = identity.name?.replaceAll(String.fromCharCode(0), '').slice(0, 200).trim();
  if (name) body.name = name;
  if (identity.avatar_url && /^https?:\/\//.test(identity.avatar_url) && identity.avatar_url.length <= 2000) {
    body.avatar_url = identity.avatar_url;
  }
  const result = await api<unknown>('service', '/api/auth/identity', { method: 'POST', body });
  return IdentityUpsertResultSchema.parse(result);
}
