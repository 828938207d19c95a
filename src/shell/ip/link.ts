/** `ip link`: placeholder until implemented. */
import { Unsupported } from '../types.js';
import type { IpObject } from './index.js';

export const ipLink: IpObject = (_ctx, args) => {
  throw new Unsupported(`ip link ${args.join(' ')}`.trim());
};
