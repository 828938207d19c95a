/** `ip addr`: placeholder until implemented. */
import { Unsupported } from '../types.js';
import type { IpObject } from './index.js';

export const ipAddr: IpObject = (_ctx, args) => {
  throw new Unsupported(`ip addr ${args.join(' ')}`.trim());
};
