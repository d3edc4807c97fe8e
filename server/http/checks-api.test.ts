/** The analytic checks over HTTP: status codes and validation through the real app (no server, no socket). */
import { beforeAll, describe, expect, it } from 'vitest'
import { useTestApp } from '../../test/helpers/test-app.ts'

type Report = { findings: { key: string; rule: string; acknowledgement: unknown }[] }

const given = useTestApp()

beforeAll(async () => {
  const { board } = given
  // An assessment without a likelihood or confidence: findings to acknowledge.
  await board.editor.post(`/api/boards/${board.id}/assessments`, { title: 'Route is open' })
})

describe('the checks API', () => {
  it('reads the findings; an unknown snapshot is 404, an unknown scope 400', async () => {
    const report = await given.board.reviewer.get<Report>(`/api/boards/${given.board.id}/checks`)
    expect(report.status).toBe(200)
    expect(report.body.findings.length).toBeGreaterThan(0)
    expect((await given.board.reviewer.get(`/api/boards/${given.board.id}/checks?snapshot=nothing`)).status).toBe(404)
    expect((await given.board.reviewer.get(`/api/boards/${given.board.id}/checks?scope=everything`)).status).toBe(400)
  })

  it('an editor acknowledges a finding that stands and withdraws it; a made-up key is 404, a missing reason 400', async () => {
    const [finding] = (await given.board.reviewer.get<Report>(`/api/boards/${given.board.id}/checks`)).body.findings
    const path = `/api/boards/${given.board.id}/acknowledgements`
    expect((await given.board.reviewer.post(path, { key: finding!.key, rule: finding!.rule, reason: 'Known' })).status).toBe(403)
    expect((await given.board.editor.post(path, { key: finding!.key, rule: finding!.rule, reason: 'Known' })).status).toBe(201)
    expect((await given.board.editor.post(path, { key: finding!.key, rule: finding!.rule })).status).toBe(400)
    expect((await given.board.editor.post(path, { key: 'made-up', rule: finding!.rule, reason: 'x' })).status).toBe(404)
    expect((await given.board.editor.delete(`${path}?key=${encodeURIComponent(finding!.key)}`)).status).toBe(204)
    expect((await given.board.editor.delete(path)).status).toBe(400)
  })
})
