/**
 * Takes a new presence client id when the relay says the page's is another
 * person's on the board: an instance that never heard of this page's id (it
 * loaded the board later), or a room that forgot its claims, may have let
 * someone else announce under it, and the relay then refuses the page's
 * presence. Told nothing, the page stayed connected and was seen by nobody.
 * The relay says so with a y-protocols "permission denied" naming the id
 * (presenceIdTakenMessage), which the stock provider only logs; every other
 * such message is left to the provider.
 */
import * as decoding from 'lib0/decoding'
import { uint32 } from 'lib0/random'
import * as authProtocol from 'y-protocols/auth'
import type { WebsocketProvider } from 'y-websocket'
import { MESSAGE_AUTH, presenceIdTaken } from '../../../shared/protocol.ts'

/** Starts listening for the relay's word; returns how to stop. */
export function takeFreshIdWhenTaken(provider: WebsocketProvider): () => void {
  const stock = provider.messageHandlers[MESSAGE_AUTH]!
  provider.messageHandlers[MESSAGE_AUTH] = (encoder, decoder, ...rest) => {
    const taken = takenIdIn(decoding.clone(decoder))
    if (taken === null) stock(encoder, decoder, ...rest)
    // A word about an id this page no longer uses is late: it took a new one already.
    else if (taken === provider.awareness.clientID) takeFreshId(provider)
  }
  return () => {
    provider.messageHandlers[MESSAGE_AUTH] = stock
  }
}

/** The client id the relay says is another's, or null for any other auth message (read as y-protocols/auth writes it). */
function takenIdIn(decoder: decoding.Decoder): number | null {
  if (decoding.readVarUint(decoder) !== authProtocol.messagePermissionDenied) return null
  return presenceIdTaken(decoding.readVarString(decoder))
}

/**
 * Withdraws the page's state under its id and shows it again under a new
 * one. The document takes the id too: the provider announces
 * `doc.clientID`'s presence on every connection and keeps only it when the
 * socket closes, and Yjs itself moves a document to a new id when another
 * client uses its own.
 */
function takeFreshId(provider: WebsocketProvider): void {
  const { awareness, doc } = provider
  const state = awareness.getLocalState()
  awareness.setLocalState(null)
  const fresh = uint32()
  doc.clientID = fresh
  awareness.clientID = fresh
  // y-protocols applies a state only at a clock above the one it holds, none counting as 0: the first state must come at 1.
  awareness.meta.set(fresh, { clock: 0, lastUpdated: Date.now() })
  awareness.setLocalState(state)
}
