/**
 * Which source URLs become links. A source's URL field holds whatever a member
 * typed ("javascript:…", "data:…" included); only a web address is ever a
 * link: in the board's source inspector and as a STIX `url`, which a
 * consumer's platform may render as one. Anything else stays text.
 */
function isWebLink(url: string | undefined): url is string {
  return url !== undefined && /^https?:\/\//i.test(url) && URL.canParse(url)
}

/**
 * A web address as every export writes it, and as the board's source
 * inspector shows and links it: as parsed (`new URL(url).href`),
 * so quotes, angle brackets, spaces and other characters a URL may not hold
 * are percent-encoded. Written as typed, `https://h/x?"><script>…` reached a
 * STIX `url` whole, for a consumer's platform to render. Null for anything
 * else, which the briefings print as text.
 */
export function webLinkHref(url: string | undefined): string | null {
  return isWebLink(url) ? new URL(url).href : null
}
