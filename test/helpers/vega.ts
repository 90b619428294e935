import * as vega from 'vega';

/** A vega logger that records warnings and errors, so a silently dropped encoding fails the test. */
export function recordingLogger(): { logger: ReturnType<typeof vega.logger>; messages: string[] } {
  const messages: string[] = [];
  const logger = vega.logger(vega.Warn);
  logger.warn = (...args: readonly unknown[]) => {
    messages.push(`WARN ${args.map(String).join(' ')}`);
    return logger;
  };
  logger.error = (...args: readonly unknown[]) => {
    messages.push(`ERROR ${args.map(String).join(' ')}`);
    return logger;
  };
  return { logger, messages };
}
