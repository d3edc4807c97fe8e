/**
 * Names for the log's origins. The origin is what the server stamped on a row
 * from the signed-in principal (`ws:<userId>` for a websocket edit,
 * `server:<userId or name>` for an HTTP edit, an import or a restore), never
 * anything a client said; it is shown under the account's name of today.
 */
import type { Author } from '../../shared/history-model.ts'
import type { Storage } from '../storage/storage.ts'

/** Origins of the server's own changes, by the word after `server:`. */
const SERVER_CHANGES: Record<string, string> = {
  'schema-migration': 'Assay (document upgrade)',
  'text-cleanup': 'Assay (text cleanup)',
  'text-fields': 'Assay (editable text fields)',
  'entry-keys': 'Assay (hidden fields removed)',
  'value-bounds': 'Assay (values within bounds)',
  demo: 'Assay (demo board)',
}

/**
 * The person behind an origin, to join their edits of a field into one
 * change: `ws:<userId>` and `server:<userId>` are one account typing over its
 * websocket and editing over HTTP, not two authors taking turns.
 */
export function personOf(origin: string): string {
  const separator = origin.indexOf(':')
  const kind = origin.slice(0, separator)
  const who = origin.slice(separator + 1)
  if (separator < 0 || (kind !== 'ws' && kind !== 'server') || who === 'anonymous' || SERVER_CHANGES[who]) return origin
  return `${PERSON}${who}`
}

/** The account behind an origin, charged for what its changes cost (compaction.ts); null for the server's own changes and someone without an account. */
export function accountOf(origin: string): string | null {
  const person = personOf(origin)
  return person.startsWith(PERSON) ? person.slice(PERSON.length) : null
}

const PERSON = 'person:'

export class AuthorNames {
  private readonly known = new Map<string, Promise<Author>>()

  constructor(private readonly storage: Pick<Storage, 'users'>) {}

  of(origin: string): Promise<Author> {
    let author = this.known.get(origin)
    if (!author) {
      author = this.resolve(origin)
      this.known.set(origin, author)
    }
    return author
  }

  private async resolve(origin: string): Promise<Author> {
    const separator = origin.indexOf(':')
    const kind = separator < 0 ? origin : origin.slice(0, separator)
    const who = separator < 0 ? '' : origin.slice(separator + 1)
    if (kind === 'ws' && who === 'anonymous') return { userId: null, name: 'someone without an account' }
    if (kind === 'server' && SERVER_CHANGES[who]) return { userId: null, name: SERVER_CHANGES[who] }
    if (who === '') return { userId: null, name: 'Assay' }
    const user = await this.storage.users.get(who)
    if (user) return { userId: user.id, name: user.name }
    // A server without accounts names the principal itself; an account deleted since keeps its id.
    return { userId: null, name: kind === 'server' ? who : `a former member (${who.slice(0, 8)})` }
  }
}
