/** Where a device's formatted entries go: a file, a socket, syslog. */
export interface AuditSink {
  /** Opens the file or connection; a failure here refuses the device (400 at enable). */
  open(): Promise<void>;
  /**
   * Writes one entry (a whole line). Resolves once it is written (`durable` false: the
   * request stage) or stored as durably as this sink can (`durable` true: the response
   * stage, after which the answer leaves).
   */
  write(line: string, durable: boolean): Promise<void>;
  /** Opens the file or connection again (SIGHUP). */
  reopen(): Promise<void>;
  /** Finishes what is queued, then releases the file or connection. */
  close(): Promise<void>;
}

/** `file_path = "discard"`: entries are accepted and dropped (tests, benchmarks). */
export const discardSink: AuditSink = {
  open: async () => undefined,
  write: async () => undefined,
  reopen: async () => undefined,
  close: async () => undefined,
};

/**
 * `file_path = "stdout"`: the process's standard output, for containers. A pipe cannot be
 * synced; an entry counts as stored once the stream has handed it to the operating system.
 */
export function stdoutSink(stream: NodeJS.WritableStream = process.stdout): AuditSink {
  return {
    open: async () => undefined,
    write: (line) =>
      new Promise((resolve, reject) => {
        stream.write(line, (err) => (err ? reject(err) : resolve()));
      }),
    reopen: async () => undefined,
    close: async () => undefined,
  };
}
