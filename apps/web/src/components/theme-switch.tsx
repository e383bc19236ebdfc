'use client';
import { useState } from 'react';

type Theme = 'system' | 'light' | 'dark';
const NEXT: Record<Theme, Theme> = { system: 'light', light: 'dark', dark: 'system' };
const LABEL: Record<Theme, string> = { system: 'System theme', light: 'Light theme', dark: 'Dark theme' };
const ICON: Record<Theme, string> = { system: '◐', light: '☀', dark: '☾' };

/** Cycles system → light → dark; the choice is a cookie, so the server renders the right theme on the next page. */
export function ThemeSwitch({ initial }: { initial: Theme }) {
  const [theme, setTheme] = useState<Theme>(initial);
  const cycle = () => {
    const next = NEXT[theme];
    setTheme(next);
    if (next === 'system') document.documentElement.removeAttribute('data-theme');
    else document.documentElement.setAttribute('data-theme', next);
    // biome-ignore lint/suspicious/noDocumentCookie: a plain preference cookie the server reads; no secret in it
    document.cookie = `theme=${next}; path=/; max-age=31536000; samesite=lax`;
  };
  return (
    <button
      type="button"
      onClick={cycle}
      className="btn-secondary h-9 w-9 px-0"
      aria-label={`${LABEL[theme]} (switch to ${LABEL[NEXT[theme]].toLowerCase()})`}
      title={LABEL[theme]}
      data-testid="theme-switch"
    >
      <span aria-hidden>{ICON[theme]}</span>
    </button>
  );
}
