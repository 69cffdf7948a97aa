/** Object tagging: GetObjectTagging, PutObjectTagging, DeleteObjectTagging. */
import type { Handler } from '../types.js';
import { parseTagging, taggingXml } from '../tags.js';
import { headVersion, versionTarget } from './version-target.js';

export const GetObjectTagging: Handler = async (req) => {
  const info = await headVersion(req);
  return { headers: { 'x-amz-version-id': info.versionId }, xml: { root: 'Tagging', body: taggingXml(info.tags ?? []) } };
};

export const PutObjectTagging: Handler = async (req) => {
  const tags = parseTagging((await req.readBody(req.settings.maxXmlBytes)).toString('utf8'), 'object');
  const done = await req.backend.putObjectAttachments({ ...versionTarget(req), tags });
  return { headers: { 'x-amz-version-id': done.versionId } };
};

export const DeleteObjectTagging: Handler = async (req) => {
  const done = await req.backend.putObjectAttachments({ ...versionTarget(req), tags: [] });
  return { status: 204, headers: { 'x-amz-version-id': done.versionId } };
};
