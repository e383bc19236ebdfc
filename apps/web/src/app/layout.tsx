import type { Metadata, Viewport } from 'next';
import { cookies } from 'next/headers';
import type { ReactNode } from 'react';
import { Header } from '../components/header';
import { getEnv } from '../env';
import { getViewer } from '../server/viewer';
import './globals.css';

// Every page depends on the session and live data: rendered per request, never at build time.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = {
  title: { default: 'NeuronetIQ Trader', template: '%s · NeuronetIQ Trader' },
  description: 'ML trading signals with public, verifiable track records.',
};
export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const themeCookie = (await cookies()).get('theme')?.value;
  const theme = themeCookie === 'light' || themeCookie === 'dark' ? themeCookie : 'system';
  const viewer = await getViewer().catch(() => null);
  const devLogin = getEnv().AUTH_DEV_LOGIN;
  return (
    <html lang="en" data-theme={theme === 'system' ? undefined : theme}>
      <body className="min-h-screen">
        <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50">
          Skip to content
        </a>
        {devLogin && (
          <div
            role="status"
            data-testid="dev-login-banner"
            className="bg-warn-bg px-4 py-1.5 text-center text-xs text-warn-fg"
          >
            Development sign-in is on (AUTH_DEV_LOGIN=true): anyone can sign in as any GitHub login. Never in
            production.
          </div>
        )}
        <Header viewer={viewer} theme={theme} />
        <main id="main" className="mx-auto max-w-7xl px-4 py-6 sm:py-8">
          {children}
        </main>
        <footer className="mx-auto max-w-7xl px-4 pb-10 pt-4 text-xs text-muted">
          Signals are model outputs, not investment advice. Track records count only calls received before their bar
          closed.
        </footer>
      </body>
    </html>
  );
}
