/**
 * A small leveled logger. Never hand it a token, key share, password or secret value:
 * log ids, accessors and paths only.
 */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'off';

const ORDER: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, off: 100 };

export interface Logger {
  trace(msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  named(name: string): Logger;
}

export function parseLogLevel(text: string | undefined, fallback: LogLevel = 'info'): LogLevel {
  if (!text) return fallback;
  const level = text.trim().toLowerCase();
  if (level === 'warning') return 'warn';
  if (level in ORDER) return level as LogLevel;
  throw new Error(`unknown log level "${text}": use trace, debug, info, warn, error or off`);
}

export function createLogger(opts: { level?: LogLevel; name?: string; write?: (line: string) => void } = {}): Logger {
  const threshold = ORDER[opts.level ?? 'info'];
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const make = (name: string | undefined): Logger => {
    const emit = (level: LogLevel) => (msg: string, fields?: Record<string, unknown>) => {
      if (ORDER[level] < threshold) return;
      const parts = [new Date().toISOString(), `[${level.toUpperCase()}]`];
      if (name) parts.push(`${name}:`);
      parts.push(msg);
      if (fields) {
        for (const [k, v] of Object.entries(fields)) parts.push(`${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
      }
      write(parts.join(' '));
    };
    return {
      trace: emit('trace'),
      debug: emit('debug'),
      info: emit('info'),
      warn: emit('warn'),
      error: emit('error'),
      named: (child) => make(name ? `${name}.${child}` : child),
    };
  };
  return make(opts.name);
}

export const silentLogger: Logger = createLogger({ level: 'off' });
