import type { UpdateLogStore } from '../../server/storage/storage.ts'

/**
 * The real update-log store with some of its methods in a test's hands. Every
 * other method is the store's own, bound to it, so a method the store gains
 * later reaches the test servers without a change here.
 */
export function logWith(log: UpdateLogStore, overrides: Partial<UpdateLogStore>): UpdateLogStore {
  return new Proxy(log, {
    get(target, key) {
      if (Object.hasOwn(overrides, key)) return overrides[key as keyof UpdateLogStore]
      const value: unknown = Reflect.get(target, key, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}
