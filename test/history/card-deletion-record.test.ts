/**
 * Who deleted a card, as the history lists it: a card its author created and
 * deleted within minutes listed nothing (its creation and deletion were joined
 * into one change from absent to absent, and dropped), so a colleague's page
 * editing it could not learn who deleted it. Each is now a change of its own,
 * in the rows since the checkpoint and across compactions alike. On SQLite and
 * PostgreSQL.
 */
import { afterEach, expect, it } from 'vitest'
import type { AssessmentChange } from '../../shared/history-model.ts'
import { addAccount, addMember, addToken } from '../helpers/accounts.ts'
import { apiClient } from '../helpers/api.ts'
import { describeEachDialect, missingServices } from '../helpers/services.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'

const postgresMissing = await missingServices('postgres')

describeEachDialect(postgresMissing, 'a card created and deleted by one person within minutes, on %s', (dialect) => {
  let server: TestServer
  afterEach(async () => {
    await server.destroy()
  })

  for (const compacted of [false, true]) {
    it(`lists its creation and its deletion, each with its author${compacted ? ', recorded by compactions' : ''}`, async () => {
      server = await startTestServer({ dialect, accounts: true, compactAfterRows: 1_000_000 })
      const ana = await addAccount(server, { name: 'Ana Petrova' })
      const bo = await addAccount(server, { name: 'Bo Lindqvist' })
      const asAna = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, ana)).token}` })
      const boardId = await asAna.createBoard('Deleted in one sitting')
      await addMember(server, boardId, bo, 'editor')
      const asBo = apiClient(server.url, { authorization: `Bearer ${(await addToken(server, bo)).token}` })
      const compact = async () => {
        if (compacted) await server.services.compaction.compact(boardId)
      }

      const card = (await asAna.post<{ id: string }>(`/api/boards/${boardId}/assessments`, { title: 'Wagner moves north' })).body.id
      await compact()
      expect((await asBo.patch(`/api/boards/${boardId}/assessments/${card}`, { likelihood: 5 })).status).toBe(200)
      await compact()
      expect((await asAna.delete(`/api/boards/${boardId}/assessments/${card}`)).status).toBe(204)
      await compact()

      const listed = await asBo.get<AssessmentChange[]>(`/api/boards/${boardId}/history/changes?assessmentId=${card}`)
      expect(listed.status).toBe(200)
      const cardChanges = listed.body.filter((change) => change.field === 'card').map(({ from, to, by }) => ({ from, to, by: by.name }))
      expect(cardChanges).toEqual([
        { from: 'absent', to: 'present', by: 'Ana Petrova' },
        { from: 'present', to: 'absent', by: 'Ana Petrova' },
      ])
    })
  }
})
