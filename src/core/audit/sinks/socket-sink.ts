/**
 * Entries as lines on a TCP or unix stream socket. One connection, opened at enable and
 * again whenever it broke; an entry counts as stored once the socket has handed it to the
 * operating system within the write timeout. A write that fails on a connection that had
 * broken meanwhile is tried once more on a fresh one.
 */
import { connect, type Socket } from 'node:net';
import type { AuditSink } from './sink.js';

export type SocketTarget = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

/** How long a connect may take when write_timeout is 0 (no write timeout). */
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export class SocketSink implements AuditSink {
  private socket: Socket | null = null;
  private connecting: Promise<Socket> | null = null;
  private closed = false;

  /** `timeoutMs` 0: writes wait as long as they must. */
  constructor(private readonly target: SocketTarget, private readonly timeoutMs: number) {}

  async open(): Promise<void> {
    await this.connection();
  }

  async write(line: string): Promise<void> {
    if (this.closed) throw new Error('audit socket is closed');
    const data = Buffer.from(line, 'utf8');
    try {
      await this.send(await this.connection(), data);
    } catch {
      this.drop();
      await this.send(await this.connection(), data);
    }
  }

  async reopen(): Promise<void> {
    this.drop();
    if (!this.closed) await this.connection();
  }

  /** Flushes and ends the connection; a collector that stopped reading does not hold a shutdown up. */
  async close(): Promise<void> {
    this.closed = true;
    const socket = this.socket;
    this.socket = null;
    if (!socket || socket.destroyed) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => socket.end(resolve)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, this.timeoutMs || DEFAULT_CONNECT_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
    socket.destroy();
  }

  private connection(): Promise<Socket> {
    if (this.socket && !this.socket.destroyed) return Promise.resolve(this.socket);
    this.connecting ??= this.dial().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private dial(): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = this.target.kind === 'tcp' ? connect({ host: this.target.host, port: this.target.port }) : connect({ path: this.target.path });
      const timer = setTimeout(() => socket.destroy(new Error(`connecting to ${describeTarget(this.target)} timed out`)), this.timeoutMs || DEFAULT_CONNECT_TIMEOUT_MS);
      socket.once('connect', () => {
        clearTimeout(timer);
        if (this.target.kind === 'tcp') socket.setNoDelay(true);
        // Whatever the collector sends back is read and dropped, so it cannot fill a buffer.
        socket.resume();
        this.socket = socket;
        resolve(socket);
      });
      socket.on('error', (err) => {
        clearTimeout(timer);
        if (this.socket === socket) this.socket = null;
        reject(err);
      });
      socket.on('close', () => {
        if (this.socket === socket) this.socket = null;
      });
    });
  }

  private send(socket: Socket, data: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = this.timeoutMs > 0 ? setTimeout(() => {
        // A collector that stopped reading: the connection is given up, the entry failed.
        socket.destroy(new Error(`write to ${describeTarget(this.target)} timed out`));
        reject(new Error(`write to ${describeTarget(this.target)} timed out`));
      }, this.timeoutMs) : undefined;
      socket.write(data, (err) => {
        if (timer) clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      });
    });
  }

  private drop(): void {
    const socket = this.socket;
    this.socket = null;
    socket?.destroy();
  }
}

export function describeTarget(target: SocketTarget): string {
  return target.kind === 'tcp' ? `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}` : target.path;
}
