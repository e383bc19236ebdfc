import { headers } from 'next/headers';
import { localeFrom } from '../lib/format';

/** The viewer's locale from Accept-Language, for numbers rendered on the server. */
export async function getLocale(): Promise<string> {
  return localeFrom((await headers()).get('accept-language'));
}
