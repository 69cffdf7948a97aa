/** Object tagging: GetObjectTagging, PutObjectTagging, DeleteObjectTagging. */
import type { Handler } from '../types.js';
import { parseTagging, taggingXml } from '../tags.js';

export const GetObjectTagging: Handler = async (req) => {
  const info = await req.backend.headObject({ bucket: req.bucket, key: req.key, identity: req.principal.identity });
  return { xml: { root: 'Tagging', body: taggingXml(info.tags ?? []) } };
};

export const PutObjectTagging: Handler = async (req) => {
  const tags = parseTagging((await req.readBody(req.settings.maxXmlBytes)).toString('utf8'), 'object');
  await req.backend.putObjectAttachments({ bucket: req.bucket, key: req.key, identity: req.principal.identity, tags });
  return {};
};

export const DeleteObjectTagging: Handler = async (req) => {
  await req.backend.putObjectAttachments({ bucket: req.bucket, key: req.key, identity: req.principal.identity, tags: [] });
  return { status: 204 };
};
