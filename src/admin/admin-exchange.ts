/** The exchange as the admin apps name it: the one every app gets (http/exchange.ts). */
export type { Answer as AdminAnswer, AppExchange as AdminExchange } from '../http/exchange.js';
