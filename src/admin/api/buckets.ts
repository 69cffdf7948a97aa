/** /admin/v1/buckets: list, create, show and delete buckets — each as its S3 operation (ListBuckets, CreateBucket, HeadBucket, DeleteBucket). */
import type { XmlObject } from '../../s3/xml.js';
import { ARCHIVE_CLASSES, TREE_CLASSES } from '../../storage/storage-class.js';
import { booleanField, objectBody, stringField } from './api-checks.js';
import type { Route } from './api-types.js';
import { s3Call } from './s3-call.js';

/** The routes of /admin/v1/buckets and /admin/v1/buckets/:bucket. */
export const BUCKET_ROUTES: Route[] = [
  {
    method: 'GET', path: 'buckets',
    run: async (req) => {
      // ListBuckets shows each user the buckets they have access to; its answer is the list.
      const r = await s3Call(req, 'ListBuckets', '');
      const listed = ((r.xml!.body as XmlObject).Buckets as { Bucket: { Name: string; CreationDate: Date }[] }).Bucket;
      const buckets = listed.map((b) => ({ name: b.Name, creationDate: new Date(b.CreationDate).toISOString(), access: req.principal.access(b.Name) }));
      return { body: { buckets } };
    },
  },
  {
    method: 'POST', path: 'buckets',
    run: async (req) => {
      const o = objectBody(req);
      const name = stringField(o, 'name');
      const objectLock = booleanField(o, 'objectLock');
      await s3Call(req, 'CreateBucket', name, { headers: objectLock ? { 'x-amz-bucket-object-lock-enabled': 'true' } : {} });
      return { status: 201, body: { name, objectLock } };
    },
  },
  {
    method: 'GET', path: 'buckets/:bucket',
    run: async (req) => {
      const bucket = req.params.bucket!;
      await s3Call(req, 'HeadBucket', bucket);
      const info = await req.sources.frontEnd.backend.headBucket({ bucket });
            return {
        body: {
          name: info.name, creationDate: info.creationDate.toISOString(), ...(info.owner ? { owner: info.owner } : {}), access: req.principal.access(bucket),
          // The classes a transition or an upload may name here: the archive ones need the bucket's archive tier.
          storageClasses: [...TREE_CLASSES, ...(info.archiveTier ? ARCHIVE_CLASSES : [])],
        },
      };
    },
  },
  {
    method: 'DELETE', path: 'buckets/:bucket',
    run: async (req) => {
      await s3Call(req, 'DeleteBucket', req.params.bucket!);
      return { status: 204 };
    },
  },
];

