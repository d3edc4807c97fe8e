/**
 * Which source URLs become links. A source's URL field holds whatever a member
 * typed ("javascript:…", "data:…" included); only a web address is ever a
 * link: in the board's source inspector and as a STIX `url`, which a
 * consumer's platform may render as one. Anything else stays text.
 */
export function isWebLink(url: string | undefined): url is string {
  return url !== undefined && /^https?:\/\//i.test(url) && URL.canParse(url)
}
