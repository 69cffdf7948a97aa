/** Every lifecycle action in the server log: one line each, with its bucket, key, version, rule and outcome. */
import type { Logger } from 'pino';
import type { LifecyclePassOptions } from './lifecycle-pass.js';

const WHY = { locked: 'refused by object lock', refused: 'refused (not tried again until the version changes)', failed: 'failed' } as const;

/** A pass listener that logs (info for actions done, warn for refusals and failures). */
export function actionLogger(log: Logger): NonNullable<LifecyclePassOptions['listener']> {
  return {
    action(bucket, a, outcome, err) {
      const fields = { job: 'lifecycle', bucket, key: a.key, action: a.kind, rule: a.rule, outcome,
        ...('versionId' in a && a.versionId !== undefined ? { versionId: a.versionId } : {}),
        ...('storageClass' in a && a.storageClass ? { storageClass: a.storageClass } : {}),
        ...('uploadId' in a ? { uploadId: a.uploadId } : {}) };
      if (outcome === 'done' || outcome === 'dry-run') log.info(fields, `lifecycle: ${a.kind} ${bucket}/${a.key}`);
      else if (outcome === 'gone') log.info(fields, `lifecycle: ${a.kind} ${bucket}/${a.key}: gone meanwhile`);
      else if (outcome === 'changed') log.info(fields, `lifecycle: ${a.kind} ${bucket}/${a.key}: changed meanwhile, left alone`);
      else log.warn({ ...fields, err }, `lifecycle: ${a.kind} ${bucket}/${a.key}: ${WHY[outcome]}`);
    },
    bucketFailed(bucket, err) {
      log.error({ job: 'lifecycle', bucket, err }, `lifecycle: the pass over bucket ${bucket} failed`);
    },
  };
}
