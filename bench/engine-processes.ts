// The server's child processes as Linux /proc shows them: yt-dlp runs in its own process group
// but is still the server's child, so /proc/<pid>/task/*/children finds it (and what it starts).
import { readdirSync, readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { residentMegabytes } from './idle-rss.js'

/** Direct children of `pid`, from every thread's children list; empty once `pid` is gone. */
export function childPids(pid: number): number[] {
  const children: number[] = []
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const list = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim()
      if (list) children.push(...list.split(' ').map(Number))
    }
  } catch {
    // the process or one of its threads ended while we looked
  }
  return children
}

/** Children, grandchildren and so on; the tree is a few processes deep at most. */
export function descendantPids(pid: number): number[] {
  const found: number[] = []
  let generation = childPids(pid)
  for (let depth = 0; generation.length > 0 && depth < 10; depth++) {
    found.push(...generation)
    generation = generation.flatMap(childPids)
  }
  return found
}

/** The command line with spaces between arguments, or undefined once the process is gone. */
export function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')
  } catch {
    return undefined
  }
}

/** VmRSS in MB, or undefined for a process that ended (a zombie has no VmRSS). */
export function residentMegabytesIfAlive(pid: number): number | undefined {
  try {
    return residentMegabytes(pid)
  } catch {
    return undefined
  }
}

/** Records when each child of a process first showed a given text on its command line. */
export interface SpawnWatcher {
  /**
   * `performance.now()` of the first poll that saw a child whose command line contains `text`,
   * waiting for one to appear; rejects after `timeoutMs`
   */
  waitFor(text: string, timeoutMs: number): Promise<number>
  stop(): void
}

/**
 * Polls the children of `parentPid` every `intervalMs` and keeps, per child, the first time its
 * command line contained `marker`. The command line is re-read until then because a child seen
 * between fork and exec still shows the parent's.
 */
export function watchSpawns(parentPid: number, marker: string, intervalMs: number): SpawnWatcher {
  const seen = new Map<number, { at: number; cmdline: string }>()
  const poll = () => {
    const at = performance.now()
    for (const pid of childPids(parentPid)) {
      if (seen.has(pid)) continue
      const cmdline = commandLine(pid)
      if (cmdline?.includes(marker)) seen.set(pid, { at, cmdline })
    }
  }
  const timer = setInterval(poll, intervalMs)
  const firstSeen = (text: string) => [...seen.values()].find((child) => child.cmdline.includes(text))?.at
  return {
    waitFor: async (text, timeoutMs) => {
      const deadline = performance.now() + timeoutMs
      for (;;) {
        const at = firstSeen(text)
        if (at !== undefined) return at
        if (performance.now() > deadline) throw new Error(`no child process with "${text}" within ${timeoutMs} ms`)
        await sleep(intervalMs)
      }
    },
    stop: () => clearInterval(timer),
  }
}
