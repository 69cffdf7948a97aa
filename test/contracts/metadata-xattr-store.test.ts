/** The metadata store contract, run against the xattr store (records in user.dirbucket.meta, big ones overflowing to synced sidecars). */
import { tmpdir } from 'node:os';
import { setAttribute } from '@napi-rs/xattr';
import { acceptsUserXattrs } from '../../src/storage/posix/metadata/detect.js';
import { SidecarStore } from '../../src/storage/posix/metadata/sidecar-store.js';
import { XATTR_NAME, XattrStore } from '../../src/storage/posix/metadata/xattr-store.js';
import { unmet } from '../helpers/requires.js';
import { metadataStoreContract } from './metadata-store.js';

const skip = unmet(!(await acceptsUserXattrs(tmpdir())) && `the file system under ${tmpdir()} refuses user.* xattrs (ext4 and XFS accept them)`);

metadataStoreContract('xattr', (metaDir) => ({
  store: new XattrStore(new SidecarStore(metaDir, true)),
  async damage(path, _key, _ino, value) {
    await setAttribute(path, XATTR_NAME, value);
  },
}), { skip });
