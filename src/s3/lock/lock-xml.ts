/**
 * The XML bodies of object lock: ObjectLockConfiguration (bucket), Retention and LegalHold (a version), parsed
 * with S3's validation errors and written back in S3's shape.
 */
import { S3Error } from '../../errors/s3-error.js';
import type { ObjectLockConfiguration, Retention } from '../../storage/backend.js';
import { parseXml, textOf, type XmlObject } from '../xml.js';
import { retainUntilOf, retentionModeOf } from './lock-headers.js';

/** A <ObjectLockConfiguration>: ObjectLockEnabled must be Enabled; a Rule holds one DefaultRetention (Mode, Days or Years). */
export function parseLockConfiguration(body: string): ObjectLockConfiguration {
  const doc = parseXml(body, 'ObjectLockConfiguration');
  if (textOf(doc['ObjectLockEnabled'])?.trim() !== 'Enabled') {
    throw new S3Error('MalformedXML', 'ObjectLockEnabled must be Enabled: object lock cannot be disabled once enabled.');
  }
  if (doc['Rule'] === undefined) return { enabled: true };
  const rule = doc['Rule'];
  if (Array.isArray(rule) || typeof rule !== 'object' || rule === null) throw new S3Error('MalformedXML');
  const dr = (rule as Record<string, unknown>)['DefaultRetention'];
  if (Array.isArray(dr) || typeof dr !== 'object' || dr === null) throw new S3Error('MalformedXML', 'A Rule needs one DefaultRetention.');
  const d = dr as Record<string, unknown>;
  const modeText = textOf(d['Mode'])?.trim();
  const mode = retentionModeOf(modeText);
  if (!mode) throw new S3Error('MalformedXML', 'DefaultRetention needs a Mode of GOVERNANCE or COMPLIANCE.');
  const days = d['Days'] === undefined ? undefined : textOf(d['Days'])!.trim();
  const years = d['Years'] === undefined ? undefined : textOf(d['Years'])!.trim();
  if (days !== undefined && years !== undefined) throw new S3Error('MalformedXML', 'DefaultRetention takes Days or Years, not both.');
  if (days === undefined && years === undefined) throw new S3Error('MalformedXML', 'DefaultRetention needs Days or Years.');
  const n = Number(days ?? years);
  if (!/^-?\d+$/.test(days ?? years!)) throw new S3Error('MalformedXML', `${days !== undefined ? 'Days' : 'Years'} must be an integer.`);
  if (n <= 0) throw new S3Error('InvalidArgument', 'Default retention period must be a positive integer value.', { ArgumentName: days !== undefined ? 'Days' : 'Years', ArgumentValue: String(n) });
  // S3's own bounds: 36,500 days or 100 years.
  if ((days !== undefined && n > 36_500) || (years !== undefined && n > 100)) {
    throw new S3Error('InvalidArgument', 'Default retention period is too large.', { ArgumentName: days !== undefined ? 'Days' : 'Years', ArgumentValue: String(n) });
  }
  return { enabled: true, defaultRetention: { mode, ...(days !== undefined ? { days: n } : { years: n }) } };
}

/** The XML body of GetObjectLockConfiguration. */
export function lockConfigurationXml(config: ObjectLockConfiguration): XmlObject {
  const d = config.defaultRetention;
  return {
    ObjectLockEnabled: 'Enabled',
    ...(d ? { Rule: { DefaultRetention: { Mode: d.mode, ...(d.days !== undefined ? { Days: d.days } : { Years: d.years }) } } } : {}),
  };
}

/**
 * A <Retention>: Mode and RetainUntilDate together (the date in the future), or neither, which removes the
 * retention (undefined).
 */
export function parseRetention(body: string): Retention | undefined {
  const doc = parseXml(body, 'Retention');
  const modeText = textOf(doc['Mode'])?.trim();
  const until = textOf(doc['RetainUntilDate'])?.trim();
  if (modeText === undefined && until === undefined) return undefined;
  if (modeText === undefined || until === undefined) throw new S3Error('MalformedXML', 'Retention needs Mode and RetainUntilDate together.');
  const mode = retentionModeOf(modeText);
  if (!mode) throw new S3Error('MalformedXML', 'Mode must be GOVERNANCE or COMPLIANCE.');
  return { mode, retainUntil: retainUntilOf(until) };
}

/** A <LegalHold>: Status ON or OFF. */
export function parseLegalHold(body: string): boolean {
  const status = textOf(parseXml(body, 'LegalHold')['Status'])?.trim();
  if (status !== 'ON' && status !== 'OFF') throw new S3Error('MalformedXML', 'LegalHold Status must be ON or OFF.');
  return status === 'ON';
}
