/** `ip neigh`: placeholder until implemented. */
import { Unsupported } from '../types.js';
import type { IpObject } from './index.js';

export const ipNeigh: IpObject = (_ctx, args) => {
  throw new Unsupported(`ip neigh ${args.join(' ')}`.trim());
};
