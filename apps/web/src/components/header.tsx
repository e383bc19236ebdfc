import Link from 'next/link';
import { signOut } from '../server/actions';
import type { Viewer } from '../server/viewer';
import { ThemeSwitch } from './theme-switch';

export function Header({ viewer, theme }: { viewer: Viewer | null; theme: 'system' | 'light' | 'dark' }) {
  return (
    <header className="sticky top-0 z-20 border-b border-border bg-surface/90 backdrop-blur">
      <div className="mx-auto flex h-14 max-w-7xl items-center gap-4 px-4">
        <Link href="/marketplace" className="flex items-center gap-2 font-semibold tracking-tight">
          <span aria-hidden className="grid h-7 w-7 place-items-center rounded-md bg-accent text-xs text-accent-fg">
            NQ
          </span>
          <span className="hidden sm:inline">NeuronetIQ Trader</span>
        </Link>
        <nav aria-label="Main" className="flex items-center gap-1 text-sm">
          <Link href="/marketplace" className="rounded-md px-2.5 py-1.5 text-muted hover:bg-surface-2 hover:text-text">
            Marketplace
          </Link>
          <Link
            href="/trade/BTCUSDT"
            className="rounded-md px-2.5 py-1.5 text-muted hover:bg-surface-2 hover:text-text"
          >
            Trade
          </Link>
          {viewer && (
            <Link
              href="/marketplace/vendor"
              className="rounded-md px-2.5 py-1.5 text-muted hover:bg-surface-2 hover:text-text"
            >
              Dashboard
            </Link>
          )}
        </nav>
        <div className="ml-auto flex items-center gap-2">
          <ThemeSwitch initial={theme} />
          {viewer ? (
            <div className="flex items-center gap-2">
              <span className="hidden items-center gap-2 text-sm sm:flex" data-testid="signed-in-owner">
                {viewer.image && (
                  // biome-ignore lint/performance/noImgElement: provider avatar
                  <img src={viewer.image} alt="" width={24} height={24} className="rounded-full" />
                )}
                <span className="font-medium">{viewer.owner}</span>
              </span>
              <form action={signOut}>
                <button type="submit" className="btn-secondary h-9">
                  Sign out
                </button>
              </form>
            </div>
          ) : (
            <Link href="/marketplace/login" className="btn-primary h-9">
              Sign in
            </Link>
          )}
        </div>
      </div>
    </header>
  );
}
