/** Structured JSON logs on stdout, one object a line (pino). */
import { type DestinationStream, type Level, type Logger, pino } from 'pino';

export type LogLevel = Level | 'silent';

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'x402-rails-facilitator' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Level names read better than pino's numbers in a plain `grep`.
      formatters: { level: (label) => ({ level: label }) },
    },
    // Synchronous writes: a line logged just before a crash or exit is not lost in a buffer.
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
