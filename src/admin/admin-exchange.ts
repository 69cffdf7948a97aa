/** What the admin apps need of the server's exchange (apps sit below server/ and name the shape they use). */
import type { IncomingMessage } from 'node:http';

/** A response value as the server writes it. */
export interface AdminAnswer {
  status: number;
  headers?: Record<string, string | number | undefined>;
  body?: Buffer | string;
}

/** One request, as the admin apps see it. */
export interface AdminExchange {
  readonly req: IncomingMessage;
  send(answer: AdminAnswer): Promise<void>;
  status: number;
  operation?: string;
}
