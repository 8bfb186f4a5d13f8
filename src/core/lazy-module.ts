// A CommonJS package loaded at its first use instead of at start-up: what start-up does not need
// costs neither start-up time nor idle memory (SPEC §7). The load is synchronous, so callers stay
// synchronous; the type comes from a type-only import at the call site.
import { createRequire } from 'node:module'

const load = createRequire(import.meta.url)

/** A getter that requires `name` on its first call and returns the same module after. */
export function lazyModule<T>(name: string): () => T {
  let loaded: T | undefined
  return () => (loaded ??= load(name) as T)
}
