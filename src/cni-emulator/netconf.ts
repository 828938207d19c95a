/**
 * types.NetConf: the generic network config every plugin can decode (name,
 * type, capabilities, ipam.type, dns, prevResult), as a Go type for the decoder.
 */
import { goUnmarshal, type GoStruct, type GoType } from './gojson.js';
import { TYPES_DNS, type DecodedDns } from './goip.js';

const STR: GoType = { k: 'string' };

export const NETCONF_FIELDS = [
  { key: 'cniVersion', json: 'cniVersion', type: STR },
  { key: 'name', json: 'name', type: STR },
  { key: 'type', json: 'type', type: STR },
  { key: 'capabilities', json: 'capabilities', type: { k: 'map', elem: { k: 'bool' } } as GoType },
  { key: 'ipam', json: 'ipam', type: { k: 'struct', name: 'IPAM', pkg: 'types', fields: [{ key: 'type', json: 'type', type: STR }] } as GoType },
  { key: 'dns', json: 'dns', type: TYPES_DNS },
  { key: 'prevResult', json: 'prevResult', type: { k: 'map', elem: { k: 'any' } } as GoType },
] as const;

export const NETCONF: GoStruct = { k: 'struct', name: 'NetConf', pkg: 'types', fields: NETCONF_FIELDS };

export interface NetConf {
  cniVersion: string;
  name: string;
  type: string;
  capabilities?: Record<string, boolean>;
  ipam: { type: string };
  dns: DecodedDns;
  /** map[string]interface{} (nil when absent or null). */
  prevResult?: Record<string, unknown>;
}

/** json.Unmarshal into types.NetConf: the value or Go's error text. */
export function decodeNetConf(stdin: string): { ok: true; value: NetConf } | { ok: false; error: string } {
  return goUnmarshal<NetConf>(stdin, NETCONF);
}
