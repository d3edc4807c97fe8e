/** A snapshot of the live board captured again when the board moved on in the millisecond of what it read (SnapshotContentMoved). */
import { SnapshotContentMoved } from '../storage/snapshot-rows.ts'

/** Captures at most: a board whose rows keep sharing one millisecond (a clock stepped back holds its times still) is refused. */
const CAPTURE_TRIES = 3

/** `captureAndRecord` run again, from its capture, while the store finds the board moved on in the capture's millisecond. */
export async function settledCapture<T>(captureAndRecord: () => Promise<T>): Promise<T> {
  for (let tried = 1; ; tried++) {
    try {
      return await captureAndRecord()
    } catch (error) {
      if (!(error instanceof SnapshotContentMoved) || tried === CAPTURE_TRIES) throw error
    }
  }
}
