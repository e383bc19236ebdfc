'use server';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { getAuth } from './auth';

/** Sign-out: a server action (a POST from this origin only), so a link on another site cannot sign anyone out. */
export async function signOut(): Promise<void> {
  await getAuth().api.signOut({ headers: await headers() });
  redirect('/marketplace');
}
