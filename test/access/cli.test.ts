/** `assay user add` and `assay token create` against a running server's database. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { apiClient } from '../helpers/api.ts'
import { SecretWatch } from '../helpers/accounts.ts'
import { runCli, type CliRun } from '../helpers/run-cli.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'

function assay(args: string[], env: Record<string, string>, stdin = ''): Promise<CliRun> {
  return runCli(args, { LOG_LEVEL: 'warn', DATABASE_URL: '', ...env }, stdin)
}

describe('assay user add and token create', () => {
  let server: TestServer
  let watch: SecretWatch

  beforeEach(async () => {
    watch = new SecretWatch()
    server = await startTestServer({ accounts: true, logSink: watch.logSink })
  })
  afterEach(async () => {
    await server.destroy()
    watch.expectClean()
  })

  it('adds an account with the password from standard input, and makes a token that works', async () => {
    const env = { DATA_DIR: server.dataDir }
    const password = 'typed into a pipe, not an argument'
    watch.secret(password)
    const added = await assay(['user', 'add', '--email', 'Cli@Example.org', '--name', 'Cli User', '--admin'], env, `${password}\n`)
    expect(added.stderr).toBe('')
    expect(added.code).toBe(0)
    const userId = added.stdout.trim()
    const stored = await server.services.storage.users.get(userId)
    expect(stored).toMatchObject({ email: 'cli@example.org', name: 'Cli User', isAdmin: true })
    expect(stored!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
    expect(added.stdout + added.stderr).not.toContain(password)

    const login = await apiClient(server.url, {}, watch.observe).post('/api/auth/login', { email: 'cli@example.org', password })
    expect(login.status).toBe(200)

    const twice = await assay(['user', 'add', '--email', 'cli@example.org', '--name', 'Again'], env, `${password}\n`)
    expect(twice.code).toBe(1)
    expect(twice.stderr).toContain('exists already')
    const short = await assay(['user', 'add', '--email', 'short@example.org', '--name', 'Short'], env, 'short\n')
    expect(short.code).toBe(1)
    expect(short.stderr).toContain('12')

    const created = await assay(['token', 'create', '--email', 'cli@example.org', '--name', 'backup script'], env)
    expect(created.code).toBe(0)
    const token = created.stdout.trim()
    expect(token).toMatch(/^assay_[A-Za-z0-9_-]{43}$/)
    watch.secret(token)
    const me = await apiClient(server.url, { authorization: `Bearer ${token}` }, watch.observe).get<{ id: string }>('/api/me')
    expect(me.body.id).toBe(userId)
    const unknown = await assay(['token', 'create', '--email', 'nobody@example.org', '--name', 'x'], env)
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('No account has the email')
    // Five CLI processes, each starting Node and loading the server's code: slow on a loaded 2-core machine.
  }, 120_000)
})
