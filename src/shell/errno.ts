/**
 * strerror(3) as glibc prints it, for the errnos the twin's tools report
 * (connect/sendmsg failures of ping, traceroute and nc, `ip route get`'s
 * RTNETLINK answers). An errno without a text here prints as its name.
 */
const TEXT: Readonly<Record<string, string>> = {
  EPERM: 'Operation not permitted',
  EACCES: 'Permission denied',
  EINVAL: 'Invalid argument',
  ENODEV: 'No such device',
  ENOBUFS: 'No buffer space available',
  EMSGSIZE: 'Message too long',
  ENOPROTOOPT: 'Protocol not available',
  EOPNOTSUPP: 'Operation not supported',
  ENETUNREACH: 'Network is unreachable',
  EHOSTUNREACH: 'No route to host',
  EHOSTDOWN: 'Host is down',
  ENONET: 'Machine is not on the network',
  ECONNREFUSED: 'Connection refused',
  ETIMEDOUT: 'Connection timed out',
};

export function strerror(errno: string): string {
  return TEXT[errno] ?? errno;
}
