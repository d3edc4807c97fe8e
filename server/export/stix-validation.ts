/**
 * The STIX 2.1 rules the export's tests hold a bundle to (STIX 2.1, sections
 * 2.9, 3.1–3.3 and the required properties of each object type the export
 * writes; no null and no empty list anywhere): every violation found, in words, so a failing test says which
 * object broke which rule. Test support: the export itself is built to pass.
 */
export type StixObject = { type: string; id: string; [property: string]: unknown }
export type StixBundle = { type: string; id: string; objects: StixObject[] }

/**
 * `type--UUIDv4`: STIX asks version 4 of the ids of every object the export
 * writes (only cyber observables, which it does not write, use version 5).
 * Assay's ids are v4 derived from names (render-stix.ts, stixId); the OASIS TLP
 * definitions' fixed ids are v4 too.
 */
const IDENTIFIER = /^[a-z][a-z0-9-]*--[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
/** Property names: lowercase ASCII and underscores; custom ones begin x_ (here x_assay_). */
const PROPERTY_NAME = /^[a-z][a-z0-9_]*$/
/** A relationship type, standard or custom: lowercase ASCII letters, digits and hyphens. */
const RELATIONSHIP_TYPE = /^[a-z0-9]+(-[a-z0-9]+)*$/

/** Required properties of each object type the export writes, besides the common ones. */
export const STIX_REQUIRED: Record<string, string[]> = {
  report: ['name', 'published', 'object_refs'],
  note: ['content', 'object_refs'],
  identity: ['name'],
  relationship: ['relationship_type', 'source_ref', 'target_ref'],
  'marking-definition': [],
  opinion: ['opinion', 'object_refs'],
}

/** Every `*_ref` and `*_refs` value anywhere in an object, nested ones included. */
export function stixReferences(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(stixReferences)
  if (value === null || typeof value !== 'object') return []
  return Object.entries(value).flatMap(([key, v]) => {
    if (key.endsWith('_ref') && typeof v === 'string') return [v]
    if (key.endsWith('_refs') && Array.isArray(v)) return v.map(String)
    return stixReferences(v)
  })
}

/** Where in a value a null or an empty list is, as paths from it ("x_assay_review.signoffs"). */
function emptiesIn(value: unknown, path: string): string[] {
  if (value === null) return [path]
  if (Array.isArray(value)) return value.length === 0 ? [path] : value.flatMap((item, i) => emptiesIn(item, `${path}[${i}]`))
  if (typeof value !== 'object') return []
  return Object.entries(value).flatMap(([key, v]) => emptiesIn(v, path === '' ? key : `${path}.${key}`))
}

export function stixViolations(bundle: StixBundle): string[] {
  const problems: string[] = []
  if (bundle.type !== 'bundle') problems.push(`bundle type is ${bundle.type}`)
  if (!IDENTIFIER.test(bundle.id) || !bundle.id.startsWith('bundle--')) problems.push(`bundle id ${bundle.id}`)
  const ids = new Set<string>()
  for (const o of bundle.objects) {
    const at = `${o.type} ${o.id}`
    if (ids.has(o.id)) problems.push(`${at}: id used twice`)
    ids.add(o.id)
    if (!IDENTIFIER.test(o.id) || !o.id.startsWith(`${o.type}--`)) problems.push(`${at}: id is not ${o.type}--UUID`)
    if (o.spec_version !== '2.1') problems.push(`${at}: spec_version ${String(o.spec_version)}`)
    if (!TIMESTAMP.test(String(o.created))) problems.push(`${at}: created ${String(o.created)}`)
    // Marking definitions cannot be versioned: they have no `modified`.
    if (o.type !== 'marking-definition') {
      if (!TIMESTAMP.test(String(o.modified))) problems.push(`${at}: modified ${String(o.modified)}`)
      else if (String(o.modified) < String(o.created)) problems.push(`${at}: modified before created`)
    }
    const required = STIX_REQUIRED[o.type]
    if (!required) problems.push(`${at}: a type the export does not write`)
    for (const property of required ?? []) {
      const value = o[property]
      if (value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)) problems.push(`${at}: no ${property}`)
    }
    for (const key of Object.keys(o)) if (!PROPERTY_NAME.test(key)) problems.push(`${at}: property name ${key}`)
    // STIX has no null and forbids empty lists (its list type): a property with nothing in it is left out.
    for (const path of emptiesIn(o, '')) problems.push(`${at}: ${path} is null or an empty list`)
    if (o.type === 'relationship' && !RELATIONSHIP_TYPE.test(String(o.relationship_type))) problems.push(`${at}: relationship_type ${String(o.relationship_type)}`)
    for (const reference of (o.external_references as Record<string, unknown>[] | undefined) ?? []) {
      if (!reference.source_name || !(reference.description || reference.url)) problems.push(`${at}: an external reference without source_name and description or url`)
    }
  }
  for (const o of bundle.objects) {
    for (const ref of stixReferences(o)) if (!ids.has(ref)) problems.push(`${o.type} ${o.id}: reference ${ref} does not resolve`)
  }
  return problems
}

/**
 * Where bundles exported over time break STIX versioning: one id with one
 * `modified` (or, for a marking definition, which cannot be versioned, one id)
 * names exactly one version of one object, so it must be the same content in
 * every bundle it appears in. Each conflict in words, with both contents.
 */
export function stixVersionConflicts(bundles: StixBundle[]): string[] {
  const seen = new Map<string, string>()
  const conflicts: string[] = []
  for (const bundle of bundles) {
    for (const o of bundle.objects) {
      const version = o.type === 'marking-definition' ? o.id : `${o.id} modified ${String(o.modified)}`
      const content = JSON.stringify(o)
      const before = seen.get(version)
      if (before === undefined) seen.set(version, content)
      else if (before !== content) conflicts.push(`${version}: ${before} then ${content}`)
    }
  }
  return conflicts
}

/**
 * Where a bundle of an earlier version (a snapshot, the board as of a past
 * time), exported after the live board's, would pass for newer content than
 * the live board's: for an id in both, the live object must be the later
 * version (`modified` no earlier), and one `modified` one content. A consumer
 * keeps the object of the latest `modified`, and would otherwise show the old
 * text as current. Each such object in words.
 */
export function staleVersionsWinning(live: StixBundle, earlier: StixBundle): string[] {
  const current = new Map(live.objects.map((o) => [o.id, o]))
  return earlier.objects.flatMap((o) => {
    const now = current.get(o.id)
    if (!now || o.type === 'marking-definition' || typeof o.modified !== 'string' || typeof now.modified !== 'string') return []
    if (o.modified < now.modified || (o.modified === now.modified && JSON.stringify(o) === JSON.stringify(now))) return []
    return [`${o.id}: the earlier version's modified ${o.modified} against the live board's ${now.modified}: ${JSON.stringify(o)} then ${JSON.stringify(now)}`]
  })
}
