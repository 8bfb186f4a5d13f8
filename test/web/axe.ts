// axe-core (the accessibility engine) run inside the real page. The app's CSP allows scripts from
// its own origin only, so axe is not added as a <script>: its source is evaluated through the
// DevTools protocol, which the page's CSP does not govern, and the page itself stays unchanged.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

// Browser code as text: the project's tsconfig has no DOM lib.
const RUN_AXE = `(async () => {
  const { violations } = await axe.run(document, { resultTypes: ['violations'] })
  return violations.map((v) => v.id + ' (' + v.impact + '): ' + v.help + ' — ' +
    v.nodes.slice(0, 4).map((n) => n.target.join(' ') + (n.failureSummary ? ' [' + n.failureSummary.replace(/\\s+/g, ' ').slice(0, 160) + ']' : '')).join('; '))
})()`

/** Every axe violation on the page as it is now, one line each ("rule (impact): help — nodes"). */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate<boolean>('typeof axe === "object"'))) await page.evaluate<void>(AXE_SOURCE)
  return page.evaluate<string[]>(RUN_AXE)
}
