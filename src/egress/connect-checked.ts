// Opening the one connection the proxy makes for a downloader: to an address the destination
// check returned, never to a name (a second lookup could answer differently), within a time limit.
import { connect, type Socket } from 'node:net'
import type { ResolvedAddress } from './destination-check.js'

/** Why no connection was made: the proxy answers 504 for a timeout, 502 for the rest. */
export class ConnectFailure extends Error {
  override name = 'ConnectFailure'
  constructor(
    readonly timedOut: boolean,
    message: string,
  ) {
    super(message)
  }
}

/** At most this many of a host's addresses are tried, one after the other. */
const MAX_ADDRESSES_TRIED = 3

/**
 * Connects to the first address that answers within `timeoutMs` (each); a host with an IPv6
 * address first still works on a machine without IPv6 routes. Rejects with ConnectFailure.
 */
export async function connectChecked(addresses: readonly ResolvedAddress[], port: number, timeoutMs: number): Promise<Socket> {
  let last: ConnectFailure = new ConnectFailure(false, 'no address to connect to')
  for (const { address, family } of addresses.slice(0, MAX_ADDRESSES_TRIED)) {
    try {
      return await connectOne(address, family, port, timeoutMs)
    } catch (err) {
      last = err as ConnectFailure
    }
  }
  throw last
}

function connectOne(address: string, family: 4 | 6, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    // `host` is an IP literal, so net never consults DNS; autoSelectFamily has nothing to pick.
    const socket = connect({ host: address, port, family, autoSelectFamily: false })
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new ConnectFailure(true, `no connection to ${address} within ${timeoutMs} ms`))
    }, timeoutMs)
    socket.once('connect', () => {
      clearTimeout(timer)
      resolve(socket)
    })
    // Kept after the connect: a later error only destroys the socket, its user sees 'close'.
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      socket.destroy()
      reject(new ConnectFailure(false, `cannot connect to ${address}: ${err.code ?? err.message}`))
    })
  })
}
