/** S3's bucket naming rules (general purpose buckets), as a pure check that names the rule broken. */

const IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/**
 * Why `name` is not a valid S3 bucket name, or undefined when it is.
 * Rules: 3–63 characters of a-z 0-9 . -, starting and ending with a letter or digit, no '..', '.-' or '-.',
 * not an IPv4 address, not starting with 'xn--' or 'sthree-', not ending with '-s3alias' or '--ol-s3'.
 */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'Bucket names must be between 3 and 63 characters long.';
  if (!/^[a-z0-9.-]+$/.test(name)) {
    return 'Bucket names can consist only of lowercase letters, numbers, dots (.), and hyphens (-).';
  }
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return 'Bucket names must begin and end with a letter or number.';
  if (name.includes('..')) return 'Bucket names must not contain two adjacent periods.';
  // DNS labels: each dot-separated label starts and ends with a letter or digit, so no dash beside a dot.
  if (name.includes('.-') || name.includes('-.')) return 'Bucket names must not contain a dash next to a period.';
  if (IPV4.test(name)) return 'Bucket names must not be formatted as an IP address.';
  if (name.startsWith('xn--')) return "Bucket names must not start with the prefix 'xn--'.";
  if (name.startsWith('sthree-')) return "Bucket names must not start with the prefix 'sthree-'.";
  if (name.endsWith('-s3alias')) return "Bucket names must not end with the suffix '-s3alias'.";
  if (name.endsWith('--ol-s3')) return "Bucket names must not end with the suffix '--ol-s3'.";
  return undefined;
}

/** True when `name` follows S3's bucket naming rules. */
export function isValidBucketName(name: string): boolean {
  return bucketNameProblem(name) === undefined;
}
