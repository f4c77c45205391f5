export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

// Structured JSON lines on stderr, so stdout stays free for command output (export).
export const createLogger = (level: LogLevel = 'info', write: (line: string) => void = (l) => process.stderr.write(l)): Logger => {
  const emit = (at: LogLevel) => (message: string, fields?: LogFields) => {
    if (ORDER[at] < ORDER[level]) return;
    write(`${JSON.stringify({ ts: new Date().toISOString(), level: at, msg: message, ...fields })}\n`);
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
};

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
