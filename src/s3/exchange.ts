/** The exchange as the S3 app names it: the one every app gets (http/exchange.ts). */
export type { Answer, AppExchange as S3Exchange } from '../http/exchange.js';
