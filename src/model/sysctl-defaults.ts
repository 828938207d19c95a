/**
 * The sysctl profile a fresh twin namespace starts from.
 *
 * New namespaces copy their IPv4 settings from the machine's initial
 * namespace (net.core.devconf_inherit_init_net=0), so the "right" defaults
 * depend on the host. This profile is what a fresh `unshare --net` namespace
 * showed on the reference machines (recorded in conformance/kernel-defaults.txt).
 * Scripts should set what they depend on explicitly.
 */
export const KERNEL_PROFILE: Readonly<Record<string, string>> = {
  'net.ipv4.ip_forward': '0',
  'net.ipv4.ip_default_ttl': '64',
  'net.ipv4.ip_local_port_range': '32768\t60999',
  'net.ipv4.ping_group_range': '1\t0',
  'net.ipv4.icmp_echo_ignore_all': '0',
  'net.ipv4.icmp_echo_ignore_broadcasts': '1',
  'net.ipv4.icmp_ratelimit': '1000',
  'net.ipv4.neigh.default.proxy_delay': '80',
  'net.bridge.bridge-nf-call-arptables': '1',
  'net.bridge.bridge-nf-call-ip6tables': '1',
  'net.bridge.bridge-nf-call-iptables': '1',
  'net.bridge.bridge-nf-filter-pppoe-tagged': '0',
  'net.bridge.bridge-nf-filter-vlan-tagged': '0',
  'net.bridge.bridge-nf-pass-vlan-input-dev': '0',
  'net.core.devconf_inherit_init_net': '0',
};

/** Per-interface `net.ipv4.conf.X.*` keys and their defaults (also used for all/default). */
export const CONF_PROFILE: Readonly<Record<string, string>> = {
  accept_local: '0',
  accept_redirects: '1',
  arp_announce: '0',
  arp_filter: '0',
  arp_ignore: '0',
  forwarding: '0',
  log_martians: '0',
  proxy_arp: '0',
  proxy_arp_pvlan: '0',
  route_localnet: '0',
  rp_filter: '0',
  send_redirects: '1',
  src_valid_mark: '0',
};
