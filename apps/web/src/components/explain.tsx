import type { ReactNode } from 'react';

/**
 * A term that explains itself: hovering it, or focusing it with the keyboard, shows `text` in a tooltip, and screen
 * readers read the same text as the term's description (aria-describedby). No script: the tooltip is CSS
 * (group-hover, group-focus-within), so it works in server-rendered pages too. `id` must be unique on the page.
 * Hidden, the tooltip takes no room (display: none, not just invisible): a term near the right edge of a phone's
 * screen would otherwise widen the page and make it scroll sideways.
 */
export function Explain({
  id,
  text,
  children,
  label,
  className = '',
}: {
  id: string;
  text: string;
  children: ReactNode;
  /** The accessible name when `children` is only an icon. */
  label?: string;
  className?: string;
}) {
  const tipId = `explain-${id}`;
  return (
    <span className={`group relative inline-flex ${className}`}>
      <button
        type="button"
        aria-describedby={tipId}
        aria-label={label}
        className="cursor-help rounded-sm [text-transform:inherit] underline decoration-dotted decoration-muted underline-offset-2 focus-visible:outline-2 focus-visible:outline-accent"
        data-testid={`explain-${id}`}
      >
        {children}
      </button>
      <span
        role="tooltip"
        id={tipId}
        className="pointer-events-none absolute left-0 top-full z-20 mt-1 hidden w-64 max-w-[calc(100vw-2rem)] rounded-md border border-border bg-surface p-2 text-left text-xs font-normal normal-case tracking-normal text-text shadow-lg group-focus-within:block group-hover:block"
      >
        {text}
      </span>
    </span>
  );
}
