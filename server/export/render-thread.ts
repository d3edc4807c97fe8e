/**
 * DOCX and PDF rendering off the event loop. Laying out a large briefing takes
 * seconds of CPU (pdfmake measures and writes every word on its own); on the
 * server's main thread that would stall the realtime relay of every board for
 * as long. One worker thread, started on first use, renders one document at a
 * time, so exports cannot crowd out the relay on a small machine either.
 */
import { Worker, parentPort } from 'node:worker_threads'
import type { Briefing } from './briefing-model.ts'
import { renderDocx } from './render-docx.ts'
import { renderPdf } from './render-pdf.ts'

export type DocumentFormat = 'docx' | 'pdf'

type RenderRequest = { id: number; format: DocumentFormat; briefing: Briefing }
type RenderReply = { id: number; body: Uint8Array } | { id: number; error: string }

type Pending = Map<number, { resolve: (body: Uint8Array) => void; reject: (error: Error) => void }>

let current: { worker: Worker; pending: Pending } | null = null
let nextId = 0

export function renderInThread(format: DocumentFormat, briefing: Briefing): Promise<Uint8Array> {
  const { worker, pending } = current ?? startWorker()
  const id = nextId++
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject })
    // Held while work is pending, so a CLI export does not exit before its file arrives.
    worker.ref()
    worker.postMessage({ id, format, briefing } satisfies RenderRequest)
  })
}

function startWorker(): { worker: Worker; pending: Pending } {
  const worker = new Worker(new URL('./render-thread-entry.js', import.meta.url))
  const pending: Pending = new Map()
  worker.on('message', (reply: RenderReply) => {
    const request = pending.get(reply.id)
    pending.delete(reply.id)
    if (pending.size === 0) worker.unref()
    if ('error' in reply) request?.reject(new Error(`Export rendering failed: ${reply.error}`))
    else request?.resolve(reply.body)
  })
  // A thread that fails takes only its own requests with it; the next export starts a fresh one.
  const fail = (error: Error) => {
    if (current?.worker === worker) current = null
    for (const request of pending.values()) request.reject(error)
    pending.clear()
  }
  worker.on('error', fail)
  worker.on('exit', (code) => fail(new Error(`The export renderer stopped (exit code ${code}); try the export again.`)))
  current = { worker, pending }
  return current
}

/** The worker's side: called by render-thread-entry.js inside the thread. */
export function serveRenderRequests(): void {
  const port = parentPort
  if (!port) throw new Error('serveRenderRequests runs inside the export worker thread only.')
  port.on('message', async ({ id, format, briefing }: RenderRequest) => {
    try {
      const body = format === 'docx' ? await renderDocx(briefing) : await renderPdf(briefing)
      port.postMessage({ id, body } satisfies RenderReply)
    } catch (error) {
      port.postMessage({ id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies RenderReply)
    }
  })
}
