// Which methods a concrete path has routes for, so a wrong method gets 405 + Allow instead of 404.

export function createRouteMethodIndex() {
  const routes: Array<{ pattern: RegExp; methods: Set<string> }> = []
  const byUrl = new Map<string, Set<string>>()
  return {
    add(url: string, method: string | string[]): void {
      let methods = byUrl.get(url)
      if (!methods) {
        methods = new Set()
        byUrl.set(url, methods)
        // ":param" matches one path segment; "*" (static assets) matches the rest.
        const source = url
          .split('/')
          .map((part) => (part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
          .join('/')
        routes.push({ pattern: new RegExp(`^${source}$`), methods })
      }
      for (const m of [method].flat()) if (m !== 'HEAD') methods.add(m)
    },
    /** every registered route pattern with its methods (HEAD left out) */
    list(): Array<{ url: string; methods: string[] }> {
      return [...byUrl].map(([url, methods]) => ({ url, methods: [...methods].sort() }))
    },
    methodsFor(path: string): string[] {
      const found = new Set<string>()
      for (const route of routes) if (route.pattern.test(path)) for (const m of route.methods) found.add(m)
      return [...found].sort()
    },
  }
}
