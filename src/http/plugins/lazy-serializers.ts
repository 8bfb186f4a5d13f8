// Response serializers (fast-json-stringify, as Fastify's default) built at a route's first answer
// of each status instead of all at start-up: building them for every route took a sixth of the
// start (SPEC §7: `npm start` to healthy ≤ 1.5 s), and the compiler with Ajv stays unloaded until
// the first answer with a response schema. The output is the same: the same compiler, later.
import type SerializerSelector from '@fastify/fast-json-stringify-compiler'
import { lazyModule } from '../../core/lazy-module.js'

type SerializerFactory = ReturnType<typeof SerializerSelector>
type RouteDefinition = Parameters<ReturnType<SerializerFactory>>[0]

const fastJsonStringifyCompiler = lazyModule<typeof SerializerSelector>('@fastify/fast-json-stringify-compiler')

/** Fastify's `compilersFactory.buildSerializer`, deferring every build to its first use. */
export const lazySerializerFactory = (...factoryArgs: Parameters<SerializerFactory>) => {
  let compile: ReturnType<SerializerFactory> | undefined
  return (route: RouteDefinition) => {
    let serialize: ((doc: unknown) => string) | undefined
    return (doc: unknown) => {
      serialize ??= (compile ??= fastJsonStringifyCompiler()()(...factoryArgs))(route)
      return serialize(doc)
    }
  }
}
