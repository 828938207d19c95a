/**
 * A device as it is now in the walk, for reading: the handler's own link when
 * the walk has not written to its namespace (it is the walk's aged namespace's),
 * else peeked out of the namespace's draft (reading through the draft would
 * draft the links record and the device).
 */
import { isDraft } from 'immer';
import type { Link, NsName } from '../../model/world.js';
import { peek } from '../peek.js';
import type { DpEnv } from './types.js';

export function curLink<L extends Link>(env: DpEnv, ns: NsName, link: L): L {
  const cur = env.cur(ns);
  if (!isDraft(cur)) return link;
  return peek(peek(peek(cur).links)[link.ifindex]) as L;
}
