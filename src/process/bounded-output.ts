// Reading an untrusted program's output in bounded memory. A site controls much of what a
// downloader prints (titles, descriptions), so one line may be endless: lines are cut at a byte
// cap and the rest of the line is discarded as it arrives; of stderr only the tail is kept.

/** Splits a byte stream into lines of at most `maxLineBytes`; never holds more than that. */
export class BoundedLineSplitter {
  readonly #maxLineBytes: number
  readonly #onLine: (line: string) => void
  #parts: Buffer[] = []
  #held = 0
  /** the current line passed the cap: drop bytes until its newline */
  #discarding = false

  constructor(maxLineBytes: number, onLine: (line: string) => void) {
    this.#maxLineBytes = maxLineBytes
    this.#onLine = onLine
  }

  /** Bytes held for the unfinished line (at most maxLineBytes). */
  get heldBytes(): number {
    return this.#held
  }

  push(chunk: Buffer): void {
    let start = 0
    for (;;) {
      const newline = chunk.indexOf(0x0a, start)
      if (newline === -1) {
        this.#hold(chunk.subarray(start))
        return
      }
      this.#hold(chunk.subarray(start, newline))
      this.#emit()
      start = newline + 1
    }
  }

  /** The stream ended: an unfinished line still counts. */
  end(): void {
    if (this.#held > 0 || this.#discarding) this.#emit()
  }

  #hold(bytes: Buffer): void {
    if (this.#discarding || bytes.length === 0) return
    const room = this.#maxLineBytes - this.#held
    if (bytes.length > room) {
      this.#parts.push(Buffer.from(bytes.subarray(0, room)))
      this.#held += room
      this.#discarding = true
      return
    }
    // Copied: a slice would keep the whole (possibly large) chunk alive.
    this.#parts.push(Buffer.from(bytes))
    this.#held += bytes.length
  }

  #emit(): void {
    const line = Buffer.concat(this.#parts, this.#held).toString('utf8').replace(/\r$/, '')
    this.#parts = []
    this.#held = 0
    this.#discarding = false
    this.#onLine(line)
  }
}

/** Keeps the last `maxBytes` of a stream. */
export class TailBuffer {
  readonly #maxBytes: number
  #tail: Buffer = Buffer.alloc(0)

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes
  }

  push(chunk: Buffer): void {
    const joined = chunk.length >= this.#maxBytes ? chunk : Buffer.concat([this.#tail, chunk])
    this.#tail = Buffer.from(joined.subarray(Math.max(0, joined.length - this.#maxBytes)))
  }

  get heldBytes(): number {
    return this.#tail.length
  }

  toString(): string {
    return this.#tail.toString('utf8')
  }
}
