/** Object tagging: GetObjectTagging, PutObjectTagging, DeleteObjectTagging. */
import type { Handler } from '../types.js';
import { parseTagging, taggingXml } from '../tags.js';
import { headVersion, requireCurrentVersion } from './version-target.js';

export const GetObjectTagging: Handler = async (req) => {
  const info = await headVersion(req);
  return { xml: { root: 'Tagging', body: taggingXml(info.tags ?? []) } };
};

export const PutObjectTagging: Handler = async (req) => {
  const tags = parseTagging((await req.readBody(req.settings.maxXmlBytes)).toString('utf8'), 'object');
  await requireCurrentVersion(req);
  await req.backend.putObjectAttachments({ bucket: req.bucket, key: req.key, identity: req.principal.identity, tags });
  return {};
};

export const DeleteObjectTagging: Handler = async (req) => {
  await requireCurrentVersion(req);
  await req.backend.putObjectAttachments({ bucket: req.bucket, key: req.key, identity: req.principal.identity, tags: [] });
  return { status: 204 };
};
