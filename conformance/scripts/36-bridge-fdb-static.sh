# 36-bridge-fdb-static: static forwarding entries.
# Tests: bridge fdb add ... dev PORT master with `static` and without (the
# default state is permanent), show order (newest first, then the port's own
# MAC, then its self multicast entries), add of an existing entry (RTNETLINK
# answers: File exists, rc 255), del + re-add, del of a missing entry
# (RTNETLINK answers: No such file or directory), fdb add on a missing device,
# JSON flags/state for static and permanent entries.

ip netns add n36
ip -n n36 link add br36 address 02:00:00:00:36:b0 type bridge
ip -n n36 link add v36a address 02:00:00:00:36:0a type veth peer name v36b address 02:00:00:00:36:0b
ip -n n36 link set v36a master br36
bridge -n n36 fdb add 02:00:00:00:36:77 dev v36a master static
bridge -n n36 fdb add 02:00:00:00:36:78 dev v36a master
bridge -n n36 fdb show brport v36a
bridge -n n36 -j fdb show brport v36a
bridge -n n36 fdb add 02:00:00:00:36:77 dev v36a master static
echo rc=$?
bridge -n n36 fdb del 02:00:00:00:36:77 dev v36a master
bridge -n n36 fdb add 02:00:00:00:36:77 dev v36a master
bridge -n n36 fdb show brport v36a
bridge -n n36 fdb del 02:00:00:00:36:78 dev v36a master
bridge -n n36 fdb del 02:00:00:00:36:78 dev v36a master
echo rc=$?
bridge -n n36 fdb add 02:00:00:00:36:79 dev v36x master static
echo rc=$?
bridge -n n36 fdb show br br36
