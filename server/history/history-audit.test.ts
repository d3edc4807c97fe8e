import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { openFreshStorage, type FreshStorage } from '../../test/helpers/test-server.ts'
import type { Principal } from '../access/access.ts'
import { HistoryAudit } from './history-audit.ts'

const logger = pino({ level: 'silent' })
const reader: Principal = { userId: 'u-rita', tokenId: null, name: 'Rita Reviewer', isAdmin: false, via: 'token' }

describe('HistoryAudit', () => {
  const opened: FreshStorage[] = []
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((fresh) => fresh.destroy()))
  })

  it('counts a read as seen only once its entry is written: the next read after a failed write writes it', async () => {
    const failing = await openFreshStorage('sqlite')
    opened.push(failing)
    await failing.storage.close()
    const working = await openFreshStorage('sqlite')
    opened.push(working)
    const history = new HistoryAudit()

    await expect(history.viewed({ storage: failing.storage, logger }, reader, 'b1', { read: 'sessions' })).rejects.toThrow()
    await history.viewed({ storage: working.storage, logger }, reader, 'b1', { read: 'sessions' })
    await history.viewed({ storage: working.storage, logger }, reader, 'b1', { read: 'sessions' })

    const entries = await working.storage.audit.listAll({ limit: 10 })
    expect(entries.map((entry) => entry.action)).toEqual(['history-viewed'])
  })
})
