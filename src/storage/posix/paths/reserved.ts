/** The name of the gateway's internal state directory: never listed at any depth, never addressable as a key. */
export const RESERVED_NAME = '.dirbucket';
