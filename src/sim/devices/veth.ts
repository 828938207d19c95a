/**
 * veth: a frame sent out of one end arrives at the other end, wherever that
 * lives (veth_xmit -> veth_forward_skb -> __dev_forward_skb):
 * - dropped if the peer is down (is_skb_forwardable: !(dev->flags & IFF_UP));
 * - dropped if it exceeds the peer's MTU (len > mtu + ETH_HLEN + VLAN_HLEN);
 * - skb_scrub_packet(): the conntrack reference always goes, and the mark
 *   too when the peer is in another namespace.
 */
import { formatIp4 } from '../../model/addr.js';
import type { VethLink } from '../../model/world.js';
import { ETH_HLEN, l3Len, scrubFrame, type Frame } from '../packet.js';
import type { DeviceHandler } from './types.js';

/** VLAN_HLEN: is_skb_forwardable allows 4 bytes of slack over the MTU. */
const VLAN_HLEN = 4;

/*
 * Steps are lazy (formatted only if the trace is read, see DpEnv.step): they
 * close over `veth` (the walk's aged namespace), `peer` (the base world),
 * the frames and `ns`, none of which a walk changes.
 */
export const vethHandler: DeviceHandler<VethLink> = {
  xmit(env, ns, veth, frame) {
    const peerNs = env.world.ns[veth.peer.ns];
    const peer = peerNs?.links[veth.peer.ifindex];
    if (!peer) {
      env.step(() => ({ kind: 'drop', action: `${veth.name}: the veth peer is gone: dropped` }));
      env.drop('link_down', `${veth.name} has no peer`);
      return;
    }
    if (!peer.adminUp) {
      env.step(() => ({ kind: 'drop', action: `${veth.name}: its peer ${peer.name} is down (no carrier): frame dropped` }));
      env.drop('link_down', `the peer of ${veth.name} (${peer.name}) is down`);
      env.xmitDropped();
      return;
    }
    if (ETH_HLEN + l3Len(frame) > peer.mtu + ETH_HLEN + VLAN_HLEN) {
      env.step(() => ({ kind: 'drop', action: `${veth.name}: ${l3Len(frame)}-byte packet exceeds the peer ${peer.name}'s MTU ${peer.mtu}: dropped` }));
      env.drop('frag_needed', `${peer.name}'s MTU ${peer.mtu} is smaller than the packet`);
      env.xmitDropped();
      return;
    }
    // veth_forward_skb -> skb_scrub_packet(): the conntrack reference and the
    // br_netfilter state (skb extensions) are always reset, the mark only when
    // the peer is in another namespace. A new frame object drops the engine's
    // per-frame "PREROUTING already done" marker as skb_ext_reset() does.
    const f: Frame = scrubFrame(frame, frame.type === 'ipv4' && veth.peer.ns === ns ? frame.ip.mark : 0);
    env.step(() => ({
      kind: 'transmit',
      action: `${veth.name} -> peer ${peer.name}${veth.peer.ns !== ns ? ` in ${veth.peer.ns === '/' ? 'the host' : `netns ${veth.peer.ns}`}` : ''}${f.type === 'ipv4' ? ` (${formatIp4(f.ip.src)} -> ${formatIp4(f.ip.dst)})` : ''}`,
    }));
    env.receive(veth.peer.ns, veth.peer.ifindex, f);
  },
};
