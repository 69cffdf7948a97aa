/** What a listener hosts: an app answers the requests of one listener (S3 today; metrics, health, admin later). */
import type { Answer } from './send.js';
import type { Exchange } from './exchange.js';

/** An app: answers each exchange through exchange.send(), and never throws (its own failures are answers too). */
export interface App {
  // A property, not a method, so that TypeScript checks an app written against its own view of the exchange
  // (apps sit below server/ and cannot import Exchange) strictly against the real one.
  handle: (exchange: Exchange) => Promise<void>;
  /**
   * The answer to a request node:http could not parse (headers too large, bad syntax), written on the raw
   * socket before it closes; without it, a bare 431 or 400.
   */
  unparsable?: (err: NodeJS.ErrnoException) => Answer & { body?: string };
}
