import type { Socket } from 'node:net';

/**
 * Calls `wrap(socket)` once the client's first TLS bytes (its ClientHello) wait in the socket's own buffer,
 * instead of putting TLS on the socket before anything arrived.
 *
 * Why: Node's TLS layer (TLSWrap) reads the socket through OpenSSL's input buffer (a NodeBIO), which
 * allocates its first block at the size of the first read. A socket wrapped before it has read anything
 * gets libuv's read size, 64 KB, kept for the connection's whole life; a socket wrapped with the ClientHello
 * already buffered hands it over with `receive()` (Node's initRead), so the block is the ClientHello's size
 * (at least 1 KB) and later reads reuse it. Measured with 3000 idle TLS connections: 81 → 18 KB of malloc'd
 * memory per connection, and 30 → 26 KB of RSS (docs/performance.md).
 *
 * `timeoutMs` > 0 destroys a socket that sends nothing for that long (TLS from the first byte: nothing else
 * watches a socket before its handshake). A socket that closes or fails first is destroyed, never wrapped.
 *
 * `wrap` makes the TLSSocket over `socket` (synchronously, as `new TLSSocket(socket)` and a TLS server's
 * 'connection' do). Node's TLSSocket then listens once for the socket's 'connect', for sockets it connects
 * itself; an accepted socket never emits it, so that listener (a closure, Node's once-wrapper and its bound
 * function: ~0.3 KB of heap) would stay for the connection's life. It is removed right after the wrap.
 */
export function afterClientHello(socket: Socket, wrap: (socket: Socket) => void, timeoutMs = 0): void {
  // Paused, so that nothing read before the wrap is handed to a 'data' listener: it stays in the buffer.
  socket.pause();
  socket.on('error', destroySocket);
  if (timeoutMs > 0) socket.setTimeout(timeoutMs, destroySocket);
  socket.once('readable', () => {
    socket.removeListener('error', destroySocket);
    if (timeoutMs > 0) {
      socket.setTimeout(0);
      socket.removeListener('timeout', destroySocket);
    }
    if (socket.destroyed || socket.readableLength === 0) {
      socket.destroy();
      return;
    }
    wrap(socket);
    socket.removeAllListeners('connect');
  });
}

function destroySocket(this: Socket): void {
  this.destroy();
}
