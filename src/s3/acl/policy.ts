/** The <AccessControlPolicy> document: parsed from PutObjectAcl/PutBucketAcl bodies, written for the Get answers. */
import type { AccessControlList, Grant, Grantee, Permission } from '../../storage/access-control.js';
import { emailGrantee, groupGrantee, PERMISSIONS, userGrantee } from './grants.js';
import { S3Error } from '../../errors/s3-error.js';
import { ownerOf } from '../owner.js';
import { asArray, ATTRIBUTES, parseXml, textOf, type XmlObject } from '../xml.js';

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
/** S3 accepts at most 100 grants in one ACL. */
export const MAX_GRANTS = 100;

function malformed(why: string): S3Error {
  return new S3Error('MalformedXML', `The AccessControlPolicy is not valid: ${why}.`);
}

function child(o: unknown, name: string): unknown {
  return typeof o === 'object' && o !== null && !Array.isArray(o) ? (o as Record<string, unknown>)[name] : undefined;
}

// The grantee's kind follows from its element (ID, URI or EmailAddress): the parser sees no xsi:type attribute.
function granteeOf(g: unknown): Grantee {
  const id = textOf(child(g, 'ID'));
  const uri = textOf(child(g, 'URI'));
  const email = textOf(child(g, 'EmailAddress'));
  if ([id, uri, email].filter((v) => v !== undefined).length !== 1) throw malformed('each Grantee needs exactly one of ID, URI, EmailAddress');
  if (id !== undefined) return userGrantee(id.trim());
  if (uri !== undefined) return groupGrantee(uri.trim());
  return emailGrantee(email!.trim());
}

/**
 * Parses an AccessControlPolicy body. Its Owner must be the current owner (`ownerId`): S3 does not let an ACL
 * change who owns a resource. Returns the grants, checked.
 */
export function parseAccessControlPolicy(body: string, ownerId: string): Grant[] {
  const doc = parseXml(body, 'AccessControlPolicy');
  const id = textOf(child(doc['Owner'], 'ID'));
  if (id === undefined) throw malformed('Owner/ID is missing');
  if (id.trim().toLowerCase() !== ownerId) throw new S3Error('AccessDenied', 'The Owner of an AccessControlPolicy must be the current owner: ACLs cannot change ownership.');
  const list = doc['AccessControlList'];
  if (list === undefined) throw malformed('AccessControlList is missing');
  const grants = asArray(child(list, 'Grant')).map((g): Grant => {
    const permission = textOf(child(g, 'Permission'))?.trim() as Permission | undefined;
    if (permission === undefined || !PERMISSIONS.includes(permission)) throw malformed(`Permission must be one of ${PERMISSIONS.join(', ')}`);
    const grantee = child(g, 'Grantee');
    if (grantee === undefined) throw malformed('a Grant has no Grantee');
    return { grantee: granteeOf(grantee), permission };
  });
  if (grants.length > MAX_GRANTS) throw malformed(`at most ${MAX_GRANTS} grants are allowed`);
  return grants;
}

/** A grantee as S3 writes it, with its xsi:type attribute; `owner` names the owner's id when a grant gave none. */
function granteeXml(g: Grantee, owner: { ID: string; DisplayName: string }): XmlObject {
  const attrs = { 'xmlns:xsi': XSI, 'xsi:type': g.type };
  if (g.type === 'Group') return { [ATTRIBUTES]: attrs, URI: g.uri };
  return { [ATTRIBUTES]: attrs, ID: g.id, DisplayName: g.displayName ?? (g.id === owner.ID ? owner.DisplayName : undefined) };
}

/** The body of a GetObjectAcl / GetBucketAcl answer. */
export function accessControlPolicyXml(acl: AccessControlList): XmlObject {
  const owner = ownerOf(acl.owner);
  return {
    Owner: { ...owner },
    AccessControlList: { Grant: acl.grants.map((g) => ({ Grantee: granteeXml(g.grantee, owner), Permission: g.permission })) },
  };
}
