import { connect as tcpConnect, type Socket } from 'node:net';
import { DOMAIN } from './server';

export const STREAM_OPEN = `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='${DOMAIN}' version='1.0'>`;

/** A raw TCP connection for input a real client cannot produce. */
export class RawConnection {
  data = '';
  closed = false;
  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (this.data += d));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => (this.closed = true));
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((res, rej) => {
      const s = tcpConnect({ port, host: '127.0.0.1' }, () => res(new RawConnection(s)));
      s.once('error', rej);
    });
  }

  write(s: string): void {
    this.socket.write(s);
  }

  /** Waits until the received data matches, or the socket closes, or the timeout passes. */
  async until(pred: (data: string) => boolean, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.data) && !this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return this.data;
  }

  async waitClosed(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return this.closed;
  }

  destroy(): void {
    this.socket.destroy();
  }
}
