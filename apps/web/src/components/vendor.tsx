import type { Vendor } from '@neuronetiq/contracts';

/** The vendor's GitHub attribution: avatar, login and profile link (or the owner name for others). */
export function VendorAttribution({ vendor, size = 20 }: { vendor: Vendor; size?: number }) {
  const label = vendor.github_login ?? vendor.display_name ?? vendor.owner;
  const avatar = vendor.avatar_url ? (
    // biome-ignore lint/performance/noImgElement: avatars come from the provider's CDN, not through Next's optimiser
    <img src={vendor.avatar_url} alt="" width={size} height={size} className="rounded-full bg-surface-2" />
  ) : (
    <span
      aria-hidden
      className="inline-flex items-center justify-center rounded-full bg-surface-2 text-[10px] font-semibold uppercase text-muted"
      style={{ width: size, height: size }}
    >
      {label.slice(0, 2)}
    </span>
  );
  return (
    <span className="inline-flex items-center gap-2">
      {avatar}
      {vendor.profile_url ? (
        <a
          href={vendor.profile_url}
          className="font-medium hover:underline"
          rel="noopener noreferrer"
          target="_blank"
          aria-label={`${label} on GitHub`}
        >
          {label}
        </a>
      ) : (
        <span className="font-medium">{label}</span>
      )}
    </span>
  );
}
