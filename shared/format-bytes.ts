/**
 * "2.1 MB", "512 KB": sizes as a person reads them. Rounded up, so a size just
 * over the limit never reads as equal to it.
 */
export function formatBytes(bytes: number): string {
  const mb = 1024 * 1024
  if (bytes >= mb) return `${String(Math.ceil((bytes / mb) * 10) / 10)} MB`
  return `${Math.ceil(bytes / 1024)} KB`
}
