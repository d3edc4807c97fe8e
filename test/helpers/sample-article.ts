/**
 * The article the demo board is imported from (server/demo): a real-world
 * shaped document with seven cited sources and 25 claims, which the import
 * tests read as users would paste or upload it.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const SAMPLE_ARTICLE_PATH = fileURLToPath(new URL('../../server/demo/wagner-vilnius-article.txt', import.meta.url))
export const SAMPLE_ARTICLE = readFileSync(SAMPLE_ARTICLE_PATH, 'utf8')

/** The sources the article cites, in the order it first cites each. */
export const SAMPLE_ARTICLE_SOURCES: readonly string[] = [
  'NATO',
  'Western intelligence',
  'Defence analysts',
  'Allied statements',
  'international observers',
  'international security briefings',
  'regional briefings',
]
