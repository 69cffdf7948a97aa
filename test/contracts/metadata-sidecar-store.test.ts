/** The metadata store contract, run against the sidecar store (records as JSON files, synced). */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SidecarStore } from '../../src/storage/posix/metadata/sidecar-store.js';
import { metadataStoreContract } from './metadata-store.js';

metadataStoreContract('sidecar', (metaDir) => {
  const store = new SidecarStore(metaDir, true);
  return {
    store,
    async damage(_path, key, ino, value) {
      const file = store.fileOf(key, ino);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, value);
    },
  };
});
