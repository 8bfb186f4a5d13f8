import assert from 'node:assert/strict'
import { test } from 'node:test'
import { BoundedLineSplitter, TailBuffer } from '../../src/process/bounded-output.js'

test('an endless line is cut at the cap and never held beyond it; the next line is whole', () => {
  const lines: string[] = []
  const splitter = new BoundedLineSplitter(1024, (line) => lines.push(line))
  const chunk = Buffer.alloc(64 * 1024, 'x')
  let mostHeld = 0
  for (let i = 0; i < 160; i++) {
    splitter.push(chunk) // 10 MiB without a newline
    mostHeld = Math.max(mostHeld, splitter.heldBytes)
  }
  assert.ok(mostHeld <= 1024, `held ${mostHeld} bytes`)
  splitter.push(Buffer.from('tail\nnext line\r\nlast'))
  splitter.end()
  assert.deepEqual(lines.map((l) => l.length), [1024, 'next line'.length, 'last'.length])
  assert.equal(lines[1], 'next line')
})

test('lines split across chunks and multi-byte characters survive', () => {
  const lines: string[] = []
  const splitter = new BoundedLineSplitter(64, (line) => lines.push(line))
  const text = Buffer.from('Ünïcødé title ⧸ one\ntwo\n')
  for (const byte of text) splitter.push(Buffer.from([byte]))
  splitter.end()
  assert.deepEqual(lines, ['Ünïcødé title ⧸ one', 'two'])
})

test('the stderr tail keeps only the last bytes', () => {
  const tail = new TailBuffer(10)
  tail.push(Buffer.from('0123456789abc'))
  tail.push(Buffer.from('de'))
  assert.equal(tail.toString(), '56789abcde')
  tail.push(Buffer.alloc(1_000_000, 'z'))
  assert.equal(tail.heldBytes, 10)
})
