/** A system user's identity (uid, primary gid, groups), looked up as the system does: id(1), through NSS (LDAP, sssd...). */
import { execFileSync } from 'node:child_process';
import type { Identity } from './identity.js';

/** The identity of login `login`; throws an Error naming the login when the system does not know it. */
export function lookupSystemUser(login: string): Identity {
  const id = (flag: string): number[] => {
    let out: string;
    try {
      out = execFileSync('id', [flag, '--', login], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
    } catch {
      throw new Error(`no system user "${login}" (id ${flag} ${login} failed)`);
    }
    return out.trim().split(/\s+/).map(Number);
  };
  const [uid] = id('-u');
  const [gid] = id('-g');
  const groups = id('-G').filter((g) => g !== gid);
  return { uid: uid!, gid: gid!, groups };
}
