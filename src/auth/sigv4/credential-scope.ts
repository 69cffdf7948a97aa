/** The Credential value of SigV4: `AKID/YYYYMMDD/region/service/aws4_request`. */

export interface CredentialScopeParts {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  terminator: string;
}

/** Split a Credential value; undefined when it does not have the five parts. */
export function parseCredential(value: string): CredentialScopeParts | undefined {
  const parts = value.split('/');
  if (parts.length < 5) return undefined;
  // The last four parts are fixed; read from the right so an odd key id cannot shift them.
  const [date, region, service, terminator] = parts.slice(-4);
  const accessKeyId = parts.slice(0, -4).join('/');
  if (!accessKeyId || !/^\d{8}$/.test(date) || !region || !service) return undefined;
  return { accessKeyId, date, region, service, terminator };
}
