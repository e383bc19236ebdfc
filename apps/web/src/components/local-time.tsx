'use client';
import { useEffect, useState } from 'react';
import { formatDateTime, formatRelative, formatUtc } from '../lib/format';

/**
 * A time in the viewer's own zone (known only in the browser), with the exact UTC instant on hover. The server
 * renders UTC so that the first paint is correct everywhere; the browser then switches to local time.
 */
export function LocalTime({ iso, relative = false }: { iso: string; relative?: boolean }) {
  const [text, setText] = useState(() => formatUtc(iso));
  useEffect(() => {
    const locale = navigator.language;
    const update = () => setText(relative ? formatRelative(locale, iso, Date.now()) : formatDateTime(locale, iso));
    update();
    if (!relative) return;
    const timer = setInterval(update, 15_000);
    return () => clearInterval(timer);
  }, [iso, relative]);
  return (
    <time dateTime={iso} title={formatUtc(iso)} suppressHydrationWarning>
      {text}
    </time>
  );
}
