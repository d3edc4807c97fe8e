/**
 * What `assay restore` does about the HTTP changes answered `202` and still
 * held in DATA_DIR/held-changes (server/relay/held-change-spool.ts). Each file
 * names the deployment its change was promised on, a server replays only its
 * own deployment's, and a restored database is a new deployment: a restore
 * that went ahead regardless left every change promised on the database it
 * replaced where no server would ever store it, saying nothing, and the same
 * for the changes promised on the file it put in place (the database a
 * restore had kept aside, taken back). So, first:
 *
 * - changes promised on the database the restore replaces, or on the file it
 *   restores, or naming no deployment (written by an earlier version, and
 *   replayed wherever a server next starts, onto an older base after a
 *   restore): the restore is refused, listing them, unless told what to do
 *   with them. `--discard-held` moves them into a folder of their own in the
 *   spool, never deleted, and never replayed; `--replay-held` keeps the
 *   restored file's deployment, so the next start replays onto it those
 *   promised on it (its own `before-restore` copy is the very database they
 *   were promised on; a backup of it is an older one, which the operator
 *   chose: a change that depends on content it lacks is set aside at replay).
 *   Changes promised on another deployment than the restored file's cannot be
 *   replayed onto it: only a start on their own database stores them.
 * - changes promised on any other deployment are left as they are, and said.
 */
import Database from 'better-sqlite3'
import type { Config } from '../config.ts'
import { DamagedHeldFile, HeldChangeSpool, SpoolRefused, type HeldChange } from '../relay/held-change-spool.ts'
import { countOf } from '../../shared/format-number.ts'
import { CliError } from './cli-error.ts'
import { present } from './file-present.ts'

/** What the operator said to do with held changes a restore would strand: nothing yet (refuse), set them aside, or replay them. */
export type HeldChoice = 'ask' | 'discard' | 'replay'

/** A database's deployment as `assay restore` reads it: its id (null: none noted yet), or unknown when there is no database or it cannot be read. */
export type DeploymentSeen = { known: true; id: string | null } | { known: false }

/** What the restore is to do, once the held changes allow it. */
export type HeldPlan = {
  /** Whether the restored file keeps its deployment id (--replay-held), rather than being made a new deployment. */
  keepDeployment: boolean
  /** Sets aside what --discard-held set aside, and lets the spool go; resolves with what was done and what is left, as lines. */
  finish(): Promise<string>
  /** Lets the spool go, nothing moved (the restore stopped). */
  release(): Promise<void>
}

type Held = { file: string; deployment: string | null; change: HeldChange }

/**
 * Reads the held changes, holding the spool's lock until the plan is finished
 * or released (a server on PostgreSQL given this DATA_DIR keeps and replays
 * them too), and decides what the restore does about them; throws a CliError,
 * nothing changed, when it must not go ahead.
 */
export async function planHeldChanges(config: Config, replaced: DeploymentSeen, restored: DeploymentSeen, choice: HeldChoice, database: string): Promise<HeldPlan> {
  const spool = new HeldChangeSpool(config.DATA_DIR, { maxChanges: config.HELD_CHANGES_MAX, maxBytes: config.HELD_CHANGES_MAX_BYTES, sharePercent: 100 }, '')
  try {
    const { held, unreadable } = await readAll(spool)
    const restoredId = restored.known ? restored.id : null
    // Taken for the replaced database's when that cannot be read: nothing says they are not.
    const strands = (deployment: string | null) => deployment === null || deployment === restoredId || !replaced.known || deployment === replaced.id
    const stranded = held.filter((entry) => strands(entry.deployment))
    const untouched = held.filter((entry) => !strands(entry.deployment))
    const emails = accountEmails(database, held)
    const folder = spool.folder
    const describe = (entries: Held[]) => describeHeld(entries, folder, replaced, restoredId, emails)
    const said = [
      ...(untouched.length === 0 ? [] : [`${describe(untouched)}They are left as they are: only a start on the database they were promised on stores them.\n`]),
      ...(unreadable === 0 ? [] : [`${countOf(unreadable, 'file')} in ${folder} cannot be read as held changes; the next start sets them aside into ${folder}/refused/.\n`]),
    ]
    const foreign = stranded.filter((entry) => entry.deployment !== null && entry.deployment !== restoredId)
    if (stranded.length > 0 && (choice === 'ask' || (choice === 'replay' && foreign.length > 0))) {
      throw new CliError(refusal(describe(stranded), folder, choice, stranded, foreign.length, replaced))
    }
    const setAsideInto = `set-aside-by-restore-${new Date().toISOString().replace(/[-:]/g, '')}`
    const release = () => spool.release()
    return {
      keepDeployment: choice === 'replay' && stranded.length > 0,
      async finish() {
        try {
          if (stranded.length === 0) return said.join('')
          if (choice === 'replay') return [`${describe(stranded)}The restored database keeps its deployment (--replay-held): the next start on it replays ${them(stranded.length)}.\n`, ...said].join('')
          for (const { file } of stranded) await spool.setAside(file, setAsideInto)
          return [
            `${describe(stranded)}Set ${them(stranded.length)} aside into ${folder}/${setAsideInto}/ (--discard-held): no server stores ${them(stranded.length)}; tell ${stranded.length === 1 ? 'its sender' : 'their senders'} to send ${them(stranded.length)} again.\n`,
            ...said,
          ].join('')
        } finally {
          await release()
        }
      },
      release,
    }
  } catch (error) {
    await spool.release()
    if (error instanceof SpoolRefused) throw new CliError(`${error.message}: nothing was restored. Stop it first.`)
    throw error
  }
}

/** The held changes, read back, oldest first, and how many files could not be (damaged, or being written when their process ended). */
async function readAll(spool: HeldChangeSpool): Promise<{ held: Held[]; unreadable: number }> {
  const held: Held[] = []
  let unreadable = 0
  for (const file of await spool.leftOver()) {
    try {
      const { change, deployment } = await spool.read(file)
      held.push({ file, deployment, change })
    } catch (error) {
      if (!(error instanceof DamagedHeldFile)) throw error
      unreadable++
    }
  }
  return { held, unreadable }
}

function refusal(listed: string, folder: string, choice: HeldChoice, stranded: Held[], foreign: number, replaced: DeploymentSeen): string {
  const stop = `Restoring now would leave ${them(stranded.length)} where no server stores ${them(stranded.length)}: nothing was restored.`
  if (choice === 'replay') {
    return `${listed}${stop} --replay-held replays onto the restored database only the changes promised on it (or naming none), and ${countOf(foreign, 'change')} ${foreign === 1 ? 'was' : 'were'} promised on another: start a server once on the database ${foreign === 1 ? 'it was' : 'they were'} promised on, which stores ${them(foreign)}, or pass --discard-held instead.`
  }
  const onReplaced = replaced.known && replaced.id !== null && stranded.some((entry) => entry.deployment === replaced.id)
  const ways = [
    ...(onReplaced ? ['start a server once on the current database, which stores those promised on it, stop it, then restore (they are then in the database the restore keeps aside, with everything else since the backup)'] : []),
    'restore with --replay-held, which keeps the restored file’s deployment, so that the next start replays onto it the changes promised on it (onto a backup, which is older than the database they were promised on, a change that depends on content the backup lacks is set aside into refused/ at replay)',
    `restore with --discard-held, which moves them into ${folder}/set-aside-by-restore-<time>/, stored nowhere (tell their senders)`,
  ]
  return `${listed}${stop} Either ${ways.join('; or ')}.`
}

/** "it" or "them", as `count` changes are named again. */
function them(count: number): string {
  return count === 1 ? 'it' : 'them'
}

/** The held changes by the deployment they were promised on, then by board: how many, by whom, when. */
function describeHeld(entries: Held[], folder: string, replaced: DeploymentSeen, restoredId: string | null, emails: Map<string, string>): string {
  const byDeployment = groupBy(entries, (entry) => entry.deployment ?? '')
  let text = ''
  for (const [deployment, group] of byDeployment) {
    text += `${countOf(group.length, 'HTTP change')} answered 202 ${group.length === 1 ? 'is' : 'are'} held in ${folder}, not stored yet, promised on ${whose(deployment === '' ? null : deployment, replaced, restoredId)}:\n`
    for (const [boardId, changes] of groupBy(group, (entry) => entry.change.boardId)) {
      const people = [...new Set(changes.map(({ change }) => (change.accountId === null ? 'nobody signed in' : (emails.get(change.accountId) ?? `account ${change.accountId}`))))]
      const times = changes.map(({ change }) => change.at).sort()
      const when = times.length === 1 ? `at ${times[0]}` : `from ${times[0]} to ${times.at(-1)}`
      text += `  board ${boardId}: ${countOf(changes.length, 'change')} by ${people.join(', ')}, ${when}\n`
    }
  }
  return text
}

function whose(deployment: string | null, replaced: DeploymentSeen, restoredId: string | null): string {
  if (deployment === null) return 'no deployment named (written by an earlier version: replayed wherever a server next starts)'
  const named = `deployment ${deployment}`
  if (replaced.known && deployment === replaced.id) return `the current database, which the restore would replace (${named}${deployment === restoredId ? ', the file restored’s too: it is a backup of it' : ''})`
  if (deployment === restoredId) return `the file being restored (${named})`
  if (!replaced.known) return `${named} (the current database cannot be read to tell whether it is its own)`
  return named
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item])
  return groups
}

/** The emails of the accounts that sent `held`, as the current database knows them; none when it cannot be read. */
function accountEmails(database: string, held: Held[]): Map<string, string> {
  const ids = [...new Set(held.flatMap(({ change }) => (change.accountId === null ? [] : [change.accountId])))]
  const emails = new Map<string, string>()
  if (ids.length === 0 || !present(database)) return emails
  try {
    const client = new Database(database, { readonly: true, fileMustExist: true })
    try {
      client.pragma('trusted_schema = OFF')
      const read = client.prepare<[string], { email: string }>('select email from users where id = ?')
      for (const id of ids) {
        const row = read.get(id)
        if (row) emails.set(id, row.email)
      }
    } finally {
      client.close()
    }
  } catch (error) {
    // Names are a help, not a need: a database that cannot be read lists accounts by id.
    if (!(error instanceof Database.SqliteError)) throw error
  }
  return emails
}

/** The deployment noted in the SQLite database `file` (read only); unknown when there is none or it cannot be read. */
export function deploymentOf(file: string): DeploymentSeen {
  if (!present(file)) return { known: false }
  try {
    const client = new Database(file, { readonly: true, fileMustExist: true })
    try {
      client.pragma('trusted_schema = OFF')
      const hasTable = client.prepare("select 1 from sqlite_master where type = 'table' and name = 'deployment'").get() !== undefined
      if (!hasTable) return { known: true, id: null }
      const row = client.prepare<[], { deployment_id: string }>('select deployment_id from deployment').get()
      return { known: true, id: row?.deployment_id ?? null }
    } finally {
      client.close()
    }
  } catch (error) {
    if (!(error instanceof Database.SqliteError)) throw error
    return { known: false }
  }
}
