/**
 * Inside a worker thread: a source document read and parsed, then imported
 * into (or previewed on) a copy of the board rebuilt from storage. Two jobs,
 * so that a document that would import nothing (empty, no citation, not
 * UTF-8, …) is refused before the board's stored log is read for it. What
 * comes back is the plan and the import as one Yjs update, which the board's
 * room applies as it would any edit: the relay's thread never parses, segments or plans.
 */
import * as Y from 'yjs'
import { applyImport, previewImport, type ImportPreview, type ImportResult } from '../../shared/import/apply-import.ts'
import { readUploadedFile } from '../../shared/import/decode-upload.ts'
import { parseSourceText, type ParsedDocument } from '../../shared/import/parse-source.ts'
import { withBoardDoc, withUpdate, type StoredLog } from '../snapshots/board-state.ts'

/** Pasted text, or an uploaded file's bytes as they came (its type and encoding are checked here). */
export type ImportInput = { text: string } | { file: { name: string; type: string; bytes: Uint8Array } }

export type ParseJob = { document: ImportInput; title?: string | undefined }

export type ImportJob = { log: StoredLog; parsed: ParsedDocument; preview: boolean; by: string }

/** `found` is the encoded Yjs snapshot (state vector and deletions) of the board it was planned on, which the room catches up to before applying it. */
export type ImportOutcome = { result: ImportPreview | ImportResult; update: Uint8Array | null; found: Uint8Array }

/** The document read (an uploaded file's type, size and encoding checked) and parsed; throws an ImportError for one that would import nothing. */
export async function parseDocument({ document, title }: ParseJob): Promise<ParsedDocument> {
  const text = 'text' in document ? document.text : await readUploadedFile(uploaded(document.file))
  return parseSourceText(text, title === undefined ? {} : { title })
}

export function importOnStoredBoard({ log, parsed, preview, by }: ImportJob): ImportOutcome {
  return withBoardDoc({ log }, (doc) => {
    const found = Y.encodeSnapshot(Y.snapshot(doc))
    if (preview) return { result: previewImport(doc, parsed), update: null, found }
    // The import is one transaction, and so one update.
    return { ...withUpdate(doc, () => applyImport(doc, parsed, { by })), found }
  })
}

function uploaded({ name, type, bytes }: { name: string; type: string; bytes: Uint8Array }) {
  return { name, type, size: bytes.byteLength, arrayBuffer: async () => bytes.slice().buffer }
}
