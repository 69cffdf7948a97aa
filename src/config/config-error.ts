/** A configuration problem, with the field it concerns: start-up prints the message, not a stack. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
