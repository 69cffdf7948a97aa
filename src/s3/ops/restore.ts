/**
 * RestoreObject (POST ?restore): a RestoreRequest with Days and an optional GlacierJobParameters Tier. 202 when a
 * restore starts, 200 when a restored copy's expiry is moved; RestoreAlreadyInProgress and InvalidObjectState
 * come from the storage. SELECT restores (Type, OutputLocation, SelectParameters) are not built: 501.
 */
import { S3Error } from '../../errors/s3-error.js';
import type { Handler } from '../types.js';
import { parseXml, textOf } from '../xml.js';
import { versionTarget } from './version-target.js';

const TIERS = ['Expedited', 'Standard', 'Bulk'];
const KNOWN = ['Days', 'GlacierJobParameters', 'Tier', 'Description', 'Type', 'SelectParameters', 'OutputLocation'];

/** The Days of a RestoreRequest body: an integer from 1 (InvalidArgument), Tier checked (MalformedXML). */
export function parseRestoreRequest(body: string): { days: number } {
  const doc = parseXml(body, 'RestoreRequest');
  for (const k of Object.keys(doc)) {
    if (k.startsWith('@')) continue;
    if (!KNOWN.includes(k)) throw new S3Error('MalformedXML', `Unknown element ${k} in RestoreRequest.`);
  }
  if (doc['Type'] !== undefined || doc['SelectParameters'] !== undefined || doc['OutputLocation'] !== undefined) {
    throw new S3Error('NotImplemented', 'SELECT restores (Type, SelectParameters, OutputLocation) are not implemented.');
  }
  const params = doc['GlacierJobParameters'];
  if (params !== undefined) {
    if (typeof params !== 'object' || params === null) throw new S3Error('MalformedXML', 'GlacierJobParameters must hold a Tier.');
    const tier = textOf((params as Record<string, unknown>)['Tier'])?.trim();
    if (tier === undefined || !TIERS.includes(tier)) throw new S3Error('MalformedXML', 'GlacierJobParameters Tier must be Expedited, Standard or Bulk.');
  }
  const tier = textOf(doc['Tier'])?.trim();
  if (tier !== undefined && !TIERS.includes(tier)) throw new S3Error('MalformedXML', 'Tier must be Expedited, Standard or Bulk.');
  textOf(doc['Description']);
  const text = textOf(doc['Days'])?.trim();
  if (text === undefined) throw new S3Error('MalformedXML', 'A restore of an archived object needs Days.');
  if (!/^-?\d+$/.test(text)) throw new S3Error('MalformedXML', 'Days must be an integer.');
  const days = Number(text);
  if (days < 1 || !Number.isSafeInteger(days)) {
    throw new S3Error('InvalidArgument', 'Days must be at least 1.', { ArgumentName: 'Days', ArgumentValue: text });
  }
  return { days };
}

export const RestoreObject: Handler = async (req) => {
  const { days } = parseRestoreRequest((await req.readBody(req.settings.maxXmlBytes)).toString('utf8'));
  const target = versionTarget(req);
  const { started } = await req.backend.restoreObject({ ...target, days });
  return { status: started ? 202 : 200, headers: { 'x-amz-version-id': target.versionId } };
};
