import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Structured logs. Anything that can carry a secret is redacted at the logger,
 * so a careless `log.info({ body })` still cannot leak a password or token.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: {
      paths: [
        'password', '*.password', '*.*.password',
        'new_password', '*.new_password', 'current_password', '*.current_password',
        'token', '*.token', '*.*.token',
        'access_token', '*.access_token', 'refresh_token', '*.refresh_token', 'id_token', '*.id_token',
        'client_secret', '*.client_secret',
        'authorization', '*.authorization', '*.headers.authorization',
        'cookie', '*.cookie', '*.headers.cookie', '*.headers["set-cookie"]',
        'passwordHash', '*.passwordHash',
      ],
      censor: '[redacted]',
    },
  };
  // stdout without blocking: lines written while a write is pending go out
  // together in the next one, so a busy server does not make a write call
  // per request. pino flushes what is pending when the process exits.
  return pino(options, destination ?? pino.destination({ dest: 1, sync: false }));
}
