/**
 * CNI_NETNS paths as the plugins' pkg/ns opens them (ns.GetNS): a statfs,
 * then the file. In the twin, `/var/run/netns/NAME` and `/run/netns/NAME` are
 * the named namespaces (`ip netns add NAME`), `/proc/self/ns/net` is the
 * plugin's own namespace; the netns directories themselves are tmpfs.
 */
import type { NsName, World } from '../model/world.js';
import { Unsupported } from '../shell/types.js';
import { strconvQuote } from './skel.js';

export type NsLookup =
  | { readonly ok: true; readonly ns: NsName }
  /** notExist: ns.NSPathNotExistErr (DEL treats it as success). */
  | { readonly ok: false; readonly notExist: boolean; readonly msg: string };

const NETNS_DIRS = ['/var/run/netns', '/run/netns'];

export function resolveNetns(world: World, self: NsName, path: string): NsLookup {
  if (path === '/proc/self/ns/net' || path === '/proc/thread-self/ns/net') return { ok: true, ns: self };
  const trimmed = path.replace(/\/+$/, '');
  if (NETNS_DIRS.includes(trimmed) || NETNS_DIRS.includes(path)) {
    // statfs of the tmpfs mounted there: TMPFS_MAGIC 0x01021994.
    return { ok: false, notExist: false, msg: `unknown FS magic on ${strconvQuote(path)}: 1021994` };
  }
  for (const dir of NETNS_DIRS) {
    if (path.startsWith(dir + '/')) {
      const name = path.slice(dir.length + 1);
      if (!name.includes('/') && name !== '' && world.ns[name] !== undefined && name !== '/') return { ok: true, ns: name };
      if (!name.includes('/')) {
        return { ok: false, notExist: true, msg: `failed to Statfs ${strconvQuote(path)}: no such file or directory` };
      }
    }
  }
  if (path.startsWith('/proc/')) throw new Unsupported(`CNI_NETNS ${path}`);
  if (world.files[path] !== undefined) {
    throw new Unsupported(`CNI_NETNS pointing at a regular file (${path})`);
  }
  // Any other path: the twin has no such file (statfs fails with ENOENT).
  if (path.startsWith('/') && !['/', '/tmp', '/var', '/run', '/etc', '/proc', '/sys', '/dev'].includes(trimmed)) {
    return { ok: false, notExist: true, msg: `failed to Statfs ${strconvQuote(path)}: no such file or directory` };
  }
  throw new Unsupported(`CNI_NETNS ${path}`);
}
