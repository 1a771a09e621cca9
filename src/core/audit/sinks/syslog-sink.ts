/**
 * Entries as RFC 5424 syslog messages over UDP. Node has no unix datagram sockets, so the
 * local agent's /dev/log cannot be reached; the agent's UDP input (127.0.0.1:514 by
 * default) can. UDP gives no receipt: an entry counts as stored once it was sent, and a
 * message larger than a datagram (about 64 KiB) fails. The socket is connected, so an
 * agent that is not listening shows up as an error on a later send.
 */
import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import type { AuditSink } from './sink.js';

/** Facility names as syslog.conf spells them, to their numbers (RFC 5424 table 1). */
export const SYSLOG_FACILITIES: Record<string, number> = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9, authpriv: 10, ftp: 11,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
};

/** Severity of every entry: informational. */
const SEVERITY_INFO = 6;

export interface SyslogTarget {
  host: string;
  port: number;
  facility: number;
  tag: string;
}

export class SyslogSink implements AuditSink {
  private socket: Socket | null = null;
  private opening: Promise<Socket> | null = null;
  private closed = false;
  /** PRI and VERSION, before the timestamp. */
  private readonly header: string;
  /** HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA, after it. */
  private readonly hostPart: string;

  constructor(private readonly target: SyslogTarget) {
    this.header = `<${target.facility * 8 + SEVERITY_INFO}>1 `;
    this.hostPart = ` ${hostname() || '-'} ${target.tag} ${process.pid} - - `;
  }

  async open(): Promise<void> {
    await this.connection();
  }

  async write(line: string): Promise<void> {
    if (this.closed) throw new Error('audit syslog socket is closed');
    const socket = await this.connection();
    const message = Buffer.from(`${this.header}${new Date().toISOString()}${this.hostPart}${line.endsWith('\n') ? line.slice(0, -1) : line}`, 'utf8');
    await new Promise<void>((resolve, reject) => socket.send(message, (err) => (err ? reject(err) : resolve())));
  }

  async reopen(): Promise<void> {
    if (this.closed) return;
    this.drop();
    await this.connection();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.drop();
  }

  private drop(): void {
    const socket = this.socket;
    this.socket = null;
    socket?.close();
  }

  private connection(): Promise<Socket> {
    if (this.socket) return Promise.resolve(this.socket);
    this.opening ??= this.dial().finally(() => (this.opening = null));
    return this.opening;
  }

  private async dial(): Promise<Socket> {
    const { address, family } = await lookup(this.target.host);
    const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
    // Errors reach the sends that fail; the listener only keeps an unhandled one from ending the process.
    socket.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(this.target.port, address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.unref();
    this.socket = socket;
    return socket;
  }
}
