/** `ip route`: placeholder until implemented. */
import { Unsupported } from '../types.js';
import type { IpObject } from './index.js';

export const ipRoute: IpObject = (_ctx, args) => {
  throw new Unsupported(`ip route ${args.join(' ')}`.trim());
};
