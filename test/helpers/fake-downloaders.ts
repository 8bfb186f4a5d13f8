// Misbehaving downloaders for the engine tests: small /bin/sh scripts set as ytdlp.path. Each
// answers --version, knows yt-dlp's --paths home:/temp: folders ($HOME_DIR, $TEMP_DIR) and the
// URL (the last argument, $URL), and records the pid of every process it starts in a file, so a
// test can check by pid that none of them outlived the job (and kill exactly those in clean-up).
import assert from 'node:assert/strict'
import { chmod, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { listProcesses } from '../../src/process/process-tree.js'

export interface FakeDownloader {
  /** the script, for ytdlp.path */
  path: string
  /** pids the script and its descendants recorded so far */
  pids(): Promise<number[]>
  /** SIGKILLs every recorded pid still alive (clean-up; only our own processes) */
  killAll(): Promise<void>
}

const PRELUDE = `#!/bin/sh
[ "$1" = "--version" ] && { echo 2099.01.01; exit 0; }
FAKE_PIDS="$(dirname "$0")/$(basename "$0").pids"
HOME_DIR=; TEMP_DIR=; URL=; prev=
for a in "$@"; do
  if [ "$prev" = "--paths" ]; then
    case "$a" in home:*) HOME_DIR="\${a#home:}";; temp:*) TEMP_DIR="\${a#temp:}";; esac
  fi
  prev="$a"; URL="$a"
done
echo $$ >> "$FAKE_PIDS"
# result NAME: writes a small finished file into the home folder and prints yt-dlp's result line
result() {
  printf 'fake video' > "$HOME_DIR/$1"
  printf '[vds-result] {"filepath": "%s", "title": "fake", "uploader": null, "duration": 1, "thumbnail": null, "extractor": "fake", "id": "%s"}\\n' "$HOME_DIR/$1" "\${2:-fake-id}"
}
`

/** Snippets for the scripts' bodies. */
export const fakeSnippets = {
  /** a child in its own session that ignores SIGTERM and keeps our stdout open for 5 minutes */
  setsidDaemon: `setsid sh -c 'echo $$ >> "$1"; trap "" TERM; exec sleep 300' daemon "$FAKE_PIDS" &`,
  /** a grandchild re-parented to init once its parent exits, holding stdout, ignoring SIGTERM */
  reparentedGrandchild: `(sh -c 'echo $$ >> "$1"; trap "" TERM; exec sleep 300' grandchild "$FAKE_PIDS" &)`,
  /** the script itself ignores SIGTERM and hangs silently */
  ignoreTermAndHang: `trap '' TERM\nsleep 300 &\necho $! >> "$FAKE_PIDS"\nwait\nwait`,
}

/** Writes `<dir>/<name>` running `body` after the prelude. */
export async function writeFakeDownloader(dir: string, name: string, body: string): Promise<FakeDownloader> {
  const script = path.join(dir, name)
  const pidFile = `${script}.pids`
  await writeFile(script, `${PRELUDE}\n${body}\n`)
  await chmod(script, 0o755)
  const pids = async () =>
    (await readFile(pidFile, 'utf8').catch(() => ''))
      .split('\n')
      .filter(Boolean)
      .map(Number)
  return {
    path: script,
    pids,
    async killAll() {
      for (const pid of await livePids(await pids())) {
        try {
          process.kill(pid, 'SIGKILL')
        } catch {
          // gone meanwhile
        }
      }
    },
  }
}

/** Those of `pids` that are still running (zombies count as gone: they cannot do anything). */
export async function livePids(pids: number[]): Promise<number[]> {
  const wanted = new Set(pids)
  return (await listProcesses()).filter((p) => wanted.has(p.pid) && !p.zombie).map((p) => p.pid)
}

/** Fails unless the fake recorded at least `atLeast` pids and none of them is alive. */
export async function assertNoneLeft(fake: FakeDownloader, atLeast: number): Promise<void> {
  const pids = await fake.pids()
  assert.ok(pids.length >= atLeast, `the fake recorded ${pids.length} pids, expected at least ${atLeast}`)
  assert.deepEqual(await livePids(pids), [], 'no process the downloader started may outlive its job')
}
