/**
 * Messages to the person: what happened and what to do. A message that
 * matters stays until it is read and dismissed; the rest leave on their own.
 */
export type Toast = { id: number; message: string; tone: 'info' | 'error'; sticky: boolean }

const TRANSIENT_MS = 5000

class Toasts {
  list = $state<Toast[]>([])
  #next = 1

  show(message: string, { tone = 'info', sticky = tone === 'error' }: { tone?: Toast['tone']; sticky?: boolean } = {}): void {
    if (this.list.some((toast) => toast.message === message)) return
    const id = this.#next++
    this.list.push({ id, message, tone, sticky })
    if (!sticky) setTimeout(() => this.dismiss(id), TRANSIENT_MS)
  }

  error(message: string): void {
    this.show(message, { tone: 'error' })
  }

  dismiss(id: number): void {
    this.list = this.list.filter((toast) => toast.id !== id)
  }
}

export const toasts = new Toasts()
