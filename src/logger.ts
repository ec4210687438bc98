import { pino, type DestinationStream, type Logger } from 'pino';
import { requestLogFields } from './services/audit.ts';

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
    // Every line written while serving a request names it: its X-Request-Id,
    // IP, and the account, client and session it was about (ids only), read
    // from the request's context (services/audit.ts), so a service logging
    // deep inside a request needs no logger handed down.
    mixin: requestLogFields,
  };
  // stdout without blocking: lines written while a write is pending go out
  // together in the next one, so a busy server does not make a write call
  // per request. pino flushes what is pending when the process exits.
  return pino(options, destination ?? pino.destination({ dest: 1, sync: false }));
}
