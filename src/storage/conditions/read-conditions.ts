/** The read preconditions of RFC 7232 (GET, HEAD, and a copy's source): parsed conditions and an object → a verdict. */
import type { EtagCondition, ObjectInfo } from '../backend.js';
import { matchesEtag } from './etag-match.js';

/** What a reader asks of the current object, parsed (headers that did not parse are left out). */
export interface ReadConditions {
  ifMatch?: EtagCondition;
  ifNoneMatch?: EtagCondition;
  ifModifiedSince?: Date;
  ifUnmodifiedSince?: Date;
}

export type ReadVerdict = 'proceed' | 'not-modified' | 'precondition-failed';

/** HTTP dates have one-second resolution: compare whole seconds. */
function seconds(d: Date): number {
  return Math.floor(d.getTime() / 1000);
}

/**
 * The verdict in RFC 7232 section 6 order: If-Match, else If-Unmodified-Since (412); then If-None-Match, else
 * If-Modified-Since (304).
 */
export function evaluateRead(c: ReadConditions, info: Pick<ObjectInfo, 'etag' | 'lastModified'>): ReadVerdict {
  if (c.ifMatch !== undefined) {
    if (!matchesEtag(c.ifMatch, info.etag)) return 'precondition-failed';
  } else if (c.ifUnmodifiedSince && seconds(info.lastModified) > seconds(c.ifUnmodifiedSince)) {
    return 'precondition-failed';
  }
  if (c.ifNoneMatch !== undefined) {
    if (matchesEtag(c.ifNoneMatch, info.etag)) return 'not-modified';
  } else if (c.ifModifiedSince && seconds(info.lastModified) <= seconds(c.ifModifiedSince)) {
    return 'not-modified';
  }
  return 'proceed';
}
