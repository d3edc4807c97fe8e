/** The app-wide objects every page may need, handed down through Svelte context. */
import { getContext, setContext } from 'svelte'
import type { Router } from './router.svelte.ts'
import type { Session } from './session.svelte.ts'

export type AppContext = { router: Router; session: Session }

const KEY = Symbol('assay-app')

export function provideApp(app: AppContext): void {
  setContext(KEY, app)
}

export function useApp(): AppContext {
  const app = getContext<AppContext | undefined>(KEY)
  if (!app) throw new Error('useApp() outside the app')
  return app
}
