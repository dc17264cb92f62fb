import { type Socket, createSocket } from 'node:dgram';
import { once } from 'node:events';

/** Where an SRV record points: a target host (here an IPv4 literal) and a port. */
export interface SrvTarget {
  host: string;
  port: number;
}

/**
 * A DNS server on a loopback UDP port answering SRV queries from a fixed table and NXDOMAIN to everything
 * else, for peers that only find other servers through DNS (ejabberd). One question per query, no EDNS,
 * no compression beyond the answer's pointer to the question.
 */
export class SrvDnsStub {
  private socket: Socket | undefined;
  port = 0;
  readonly queries: string[] = [];

  /** `_xmpp-server._tcp.example.test` → target. */
  constructor(private readonly records: ReadonlyMap<string, SrvTarget>) {}

  async start(): Promise<this> {
    const socket = createSocket('udp4');
    socket.on('message', (msg, rinfo) => {
      const reply = this.answer(msg);
      if (reply) socket.send(reply, rinfo.port, rinfo.address);
    });
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
    this.socket = socket;
    this.port = socket.address().port;
    return this;
  }

  private answer(query: Buffer): Buffer | undefined {
    if (query.length < 17 || query.readUInt16BE(4) !== 1) return undefined;
    const labels: string[] = [];
    let at = 12;
    while (at < query.length && query[at] !== 0) {
      const len = query[at];
      if (len > 63) return undefined;
      labels.push(query.toString('latin1', at + 1, at + 1 + len));
      at += 1 + len;
    }
    const questionEnd = at + 5;
    if (questionEnd > query.length) return undefined;
    const name = labels.join('.').toLowerCase();
    const qtype = query.readUInt16BE(at + 1);
    this.queries.push(`${name} ${qtype}`);
    const target = qtype === 33 ? this.records.get(name) : undefined;
    const header = Buffer.alloc(12);
    header.writeUInt16BE(query.readUInt16BE(0), 0);
    header.writeUInt16BE(0x8400 | (query.readUInt16BE(2) & 0x0100) | 0x0080 | (target ? 0 : 3), 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(target ? 1 : 0, 6);
    const question = query.subarray(12, questionEnd);
    if (!target) return Buffer.concat([header, question]);
    const host = Buffer.concat([...target.host.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])), Buffer.from([0])]);
    const rdata = Buffer.alloc(6);
    rdata.writeUInt16BE(0, 0); // priority
    rdata.writeUInt16BE(0, 2); // weight
    rdata.writeUInt16BE(target.port, 4);
    const rr = Buffer.alloc(12);
    rr.writeUInt16BE(0xc00c, 0); // the question's name
    rr.writeUInt16BE(33, 2); // SRV
    rr.writeUInt16BE(1, 4); // IN
    rr.writeUInt32BE(60, 6); // TTL
    rr.writeUInt16BE(rdata.length + host.length, 10);
    return Buffer.concat([header, question, rr, rdata, host]);
  }

  async stop(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((r) => socket.close(() => r()));
  }
}
