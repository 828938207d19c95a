#  Two network namespaces joined by a veth pair: the smallest container network.
#
#   +-------- netns a --------+            +-------- netns b --------+
#   |  veth-a 10.0.0.1/24     |============|     veth-b 10.0.0.2/24  |
#   +-------------------------+  veth pair +-------------------------+
#
# Run it:  npx podnet sh examples/shell/two-namespaces.sh
#          npx podnet sh --trace examples/shell/two-namespaces.sh   (hop-by-hop)
ip netns add a
ip netns add b
ip link add veth-a netns a type veth peer name veth-b netns b
ip -n a addr add 10.0.0.1/24 dev veth-a
ip -n b addr add 10.0.0.2/24 dev veth-b
ip -n a link set veth-a up
ip -n b link set veth-b up
ip -n a route show
ip netns exec a ping -c 2 -i 0.2 -W 1 10.0.0.2
ip -n a neigh show
ip netns del a
ip netns del b
