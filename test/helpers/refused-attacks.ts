/** Attacks each sent by a fresh stock client of its own, each expected to close its sender 4422 (nothing else is checked here). */
import type * as Y from 'yjs'
import { expect } from 'vitest'
import { CLOSE } from '../../shared/protocol.ts'
import { waitFor } from './wait-for.ts'
import { closeCodes, type TestClient } from './yjs-client.ts'

export type Attack = [what: string, attack: (doc: Y.Doc) => void]

/** Connects a client with `connect` for each attack, makes its change once synced, and expects exactly one close, 4422; the client is then destroyed. */
export async function expectEachRefused(connect: () => TestClient, attacks: readonly Attack[]): Promise<void> {
  for (const [what, attack] of attacks) {
    const attacker = connect()
    const codes = closeCodes(attacker)
    await attacker.synced()
    attack(attacker.doc)
    await waitFor(() => codes.length > 0, `${what} refused`)
    expect(codes, what).toEqual([CLOSE.updateRejected.code])
    attacker.destroy()
  }
}
