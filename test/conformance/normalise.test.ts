/**
 * Unit tests for the conformance normaliser and golden format. Inputs are
 * verbatim kernel output captured on the recording machine (Linux 6.18,
 * iproute2 6.1, iputils 20221126, traceroute 2.1.2, iptables 1.8.9 nft).
 */
import { describe, expect, it } from "vitest";
import {
  formatGolden,
  NO_NEWLINE_MARKER,
  normalise,
  parseGolden,
  splitScriptCommands,
  type Section,
} from "../../src/conformance/normalise.js";

describe("normalise: ip link / addr text", () => {
  it("replaces ifindex, @ifN, link-netnsid and random MACs", () => {
    const raw = [
      "3: v1@if2: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000",
      "    link/ether 56:6c:7e:ff:b8:34 brd ff:ff:ff:ff:ff:ff link-netnsid 0",
      "",
    ].join("\n");
    expect(normalise(raw)).toBe(
      [
        "N: v1@ifN: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000",
        "    link/ether MAC brd ff:ff:ff:ff:ff:ff link-netnsid N",
        "",
      ].join("\n"),
    );
  });

  it("keeps a same-namespace peer name, loopback and script-assigned MACs", () => {
    const raw = [
      "1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000",
      "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00",
      "5: v02c@v02d: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000",
      "    link/ether 02:00:00:00:02:0c brd ff:ff:ff:ff:ff:ff",
      "",
    ].join("\n");
    expect(normalise(raw)).toBe(
      [
        "N: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000",
        "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00",
        "N: v02c@v02d: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000",
        "    link/ether 02:00:00:00:02:0c brd ff:ff:ff:ff:ff:ff",
        "",
      ].join("\n"),
    );
  });

  it("drops IPv6 link-local address entries (text) with their lifetime line, keeps ::1", () => {
    const raw = [
      "3: v1@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000",
      "    link/ether 56:6c:7e:ff:b8:34 brd ff:ff:ff:ff:ff:ff link-netnsid 0",
      "    inet 10.0.0.1/24 scope global v1",
      "       valid_lft forever preferred_lft forever",
      "    inet6 fe80::546c:7eff:feff:b834/64 scope link tentative ",
      "       valid_lft forever preferred_lft forever",
      "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000",
      "    inet6 ::1/128 scope host ",
      "       valid_lft forever preferred_lft forever",
      "",
    ].join("\n");
    expect(normalise(raw)).toBe(
      [
        "N: v1@ifN: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000",
        "    link/ether MAC brd ff:ff:ff:ff:ff:ff link-netnsid N",
        "    inet 10.0.0.1/24 scope global v1",
        "       valid_lft forever preferred_lft forever",
        "N: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000",
        "    inet6 ::1/128 scope host ",
        "       valid_lft forever preferred_lft forever",
        "",
      ].join("\n"),
    );
  });

  it("drops the tentative flag of other IPv6 addresses", () => {
    expect(
      normalise("    inet6 2001:db8::1/64 scope global tentative \n"),
    ).toBe("    inet6 2001:db8::1/64 scope global \n");
  });

  it("handles -br link and -br addr lines", () => {
    const raw = [
      "lo               DOWN           ",
      "v1@if2           UP             10.0.0.1/24 fe80::546c:7eff:feff:b834/64 ",
      "v04a@if2         DOWN           2a:0c:88:c2:d4:d9 <NO-CARRIER,BROADCAST,MULTICAST,UP> ",
      "",
    ].join("\n");
    expect(normalise(raw)).toBe(
      [
        "lo               DOWN           ",
        "v1@ifN           UP             10.0.0.1/24 ",
        "v04a@ifN         DOWN           MAC <NO-CARRIER,BROADCAST,MULTICAST,UP> ",
        "",
      ].join("\n"),
    );
  });
});

describe("normalise: JSON", () => {
  it("replaces ifindex/link_index/link_netnsid and drops link-local addr_info objects", () => {
    const raw =
      '[{"ifindex":3,"link_index":2,"ifname":"v1","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"qdisc":"noqueue","operstate":"UP","group":"default","txqlen":1000,"link_type":"ether","address":"56:6c:7e:ff:b8:34","broadcast":"ff:ff:ff:ff:ff:ff","link_netnsid":0,"addr_info":[{"family":"inet","local":"10.0.0.1","prefixlen":24,"scope":"global","label":"v1","valid_life_time":4294967295,"preferred_life_time":4294967295},{"family":"inet6","local":"fe80::546c:7eff:feff:b834","prefixlen":64,"scope":"link","tentative":true,"valid_life_time":4294967295,"preferred_life_time":4294967295}]}]\n';
    expect(normalise(raw)).toBe(
      '[{"ifindex":N,"link_index":N,"ifname":"v1","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"qdisc":"noqueue","operstate":"UP","group":"default","txqlen":1000,"link_type":"ether","address":"MAC","broadcast":"ff:ff:ff:ff:ff:ff","link_netnsid":N,"addr_info":[{"family":"inet","local":"10.0.0.1","prefixlen":24,"scope":"global","label":"v1","valid_life_time":4294967295,"preferred_life_time":4294967295}]}]\n',
    );
  });

  it("drops a link-local object in first, middle and only position", () => {
    const ll =
      '{"family":"inet6","local":"fe80::1","prefixlen":64,"scope":"link","valid_life_time":4294967295,"preferred_life_time":4294967295}';
    const a = '{"family":"inet","local":"10.0.0.1","prefixlen":24}';
    const b = '{"family":"inet","local":"10.0.0.2","prefixlen":24}';
    expect(normalise(`"addr_info":[${ll},${a}]`)).toBe(`"addr_info":[${a}]`);
    expect(normalise(`"addr_info":[${a},${ll},${b}]`)).toBe(
      `"addr_info":[${a},${b}]`,
    );
    expect(normalise(`"addr_info":[${ll}]`)).toBe(`"addr_info":[]`);
  });

  it("keeps bridge fdb multicast MACs and key order", () => {
    const raw =
      '[{"mac":"33:33:00:00:00:01","ifname":"br0","flags":["self"],"state":"permanent"},{"mac":"02:00:00:00:01:02","ifname":"vh1","flags":[],"master":"br0","state":""},{"mac":"8e:a5:a6:80:9d:5b","ifname":"vh2","flags":[],"master":"br0","state":"permanent"}]\n';
    expect(normalise(raw)).toBe(
      '[{"mac":"33:33:00:00:00:01","ifname":"br0","flags":["self"],"state":"permanent"},{"mac":"02:00:00:00:01:02","ifname":"vh1","flags":[],"master":"br0","state":""},{"mac":"MAC","ifname":"vh2","flags":[],"master":"br0","state":"permanent"}]\n',
    );
  });
});

describe("normalise: ping and traceroute", () => {
  it("replaces ping times, statistics time and the rtt line", () => {
    const raw = [
      "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.",
      "64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=0.094 ms",
      "64 bytes from 10.0.0.2: icmp_seq=2 ttl=64 time=49.7 ms",
      "64 bytes from 10.0.0.2: icmp_seq=3 ttl=64 time=200 ms",
      "",
      "--- 10.0.0.2 ping statistics ---",
      "3 packets transmitted, 3 received, 0% packet loss, time 204ms",
      "rtt min/avg/max/mdev = 0.058/83.076/200.080/0.018 ms",
      "",
    ].join("\n");
    expect(normalise(raw)).toBe(
      [
        "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.",
        "64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=T ms",
        "64 bytes from 10.0.0.2: icmp_seq=2 ttl=64 time=T ms",
        "64 bytes from 10.0.0.2: icmp_seq=3 ttl=64 time=T ms",
        "",
        "--- 10.0.0.2 ping statistics ---",
        "3 packets transmitted, 3 received, 0% packet loss, time Tms",
        "rtt min/avg/max/mdev = T/T/T/T ms",
        "",
      ].join("\n"),
    );
  });

  it("keeps error counts, ICMP error lines and ttl values", () => {
    const raw = [
      "PING 10.9.11.1 (10.9.11.1) 56(84) bytes of data.",
      "From 10.1.1.1 icmp_seq=1 Destination Host Unreachable",
      "",
      "--- 10.9.11.1 ping statistics ---",
      "10 packets transmitted, 0 received, +2 errors, 100% packet loss, time 142ms",
      "",
    ].join("\n");
    expect(normalise(raw)).toBe(raw.replace("time 142ms", "time Tms"));
  });

  it("replaces traceroute probe times but keeps hops, stars and annotations", () => {
    const raw = [
      "traceroute to 10.25.9.9 (10.25.9.9), 30 hops max, 60 byte packets",
      " 1  10.25.1.1  0.046 ms  0.011 ms",
      " 2  10.25.2.2  0.022 ms !N",
      " 3  *",
      "10  10.25.2.2  3005.062 ms *",
      "",
    ].join("\n");
    expect(normalise(raw)).toBe(
      [
        "traceroute to 10.25.9.9 (10.25.9.9), 30 hops max, 60 byte packets",
        " 1  10.25.1.1  T ms  T ms",
        " 2  10.25.2.2  T ms !N",
        " 3  *",
        "10  10.25.2.2  T ms *",
        "",
      ].join("\n"),
    );
  });
});

describe("normalise: iptables and misc", () => {
  it("replaces iptables-save dates only", () => {
    const raw = [
      "# Generated by iptables-save v1.8.9 (nf_tables) on Wed Nov 25 20:23:53 2026",
      "*filter",
      ":INPUT ACCEPT [0:0]",
      "[3:252] -A INPUT -p icmp -j ACCEPT",
      "COMMIT",
      "# Completed on Wed Nov 25 20:23:53 2026",
      "",
    ].join("\n");
    expect(normalise(raw)).toBe(
      [
        "# Generated by iptables-save v1.8.9 (nf_tables) on DATE",
        "*filter",
        ":INPUT ACCEPT [0:0]",
        "[3:252] -A INPUT -p icmp -j ACCEPT",
        "COMMIT",
        "# Completed on DATE",
        "",
      ].join("\n"),
    );
  });

  it("leaves iptables -L -v -x counters alone", () => {
    const raw = [
      "Chain INPUT (policy ACCEPT 0 packets, 0 bytes)",
      "    pkts      bytes target     prot opt in     out     source               destination         ",
      "       3      252 ACCEPT     1    --  *      *       0.0.0.0/0            0.0.0.0/0           ",
      "",
    ].join("\n");
    expect(normalise(raw)).toBe(raw);
  });

  it("replaces running bridge timers (text and JSON) but nothing else of the line", () => {
    const raw =
      "    bridge forward_delay 1500 hello_timer    0.00 tcn_timer    0.00 gc_timer    0.09 group_fwd_mask 0\n" +
      '{"forward_delay":1500,"gc_timer":8.93,"hold_timer":0.00}\n';
    expect(normalise(raw)).toBe(
      "    bridge forward_delay 1500 hello_timer    T tcn_timer    T gc_timer    T group_fwd_mask 0\n" +
        '{"forward_delay":1500,"gc_timer":T,"hold_timer":T}\n',
    );
  });

  it("renames random CNI veth names", () => {
    expect(normalise("5: veth1a2b3c4d@if2: <BROADCAST> mtu 1500\n")).toBe(
      "N: vethXXXXXXXX@ifN: <BROADCAST> mtu 1500\n",
    );
    expect(normalise('"ifname":"veth0011aabb"')).toBe(
      '"ifname":"vethXXXXXXXX"',
    );
  });

  it("does not touch routes, neighbours with fixed MACs, errors or IPv6 global addresses", () => {
    const raw = [
      "10.6.0.0/24 dev v06a proto kernel scope link src 10.6.0.1 linkdown ",
      "10.19.0.2 dev v19a lladdr 02:00:00:00:19:02 PERMANENT ",
      "RTNETLINK answers: File exists",
      "Error: Nexthop has invalid gateway.",
      "2001:db8:0:1:2:3:4:5 dev v1 lladdr 02:00:00:00:19:05 STALE ",
      "",
    ].join("\n");
    expect(normalise(raw)).toBe(raw);
  });

  it("keeps output without a trailing newline without adding one", () => {
    expect(normalise("abc")).toBe("abc");
    expect(normalise("")).toBe("");
  });

  it("is idempotent on recorded goldens' forms", () => {
    const once = normalise(
      "3: v1@if2: <UP> mtu 1500\n    link/ether 56:6c:7e:ff:b8:34 brd ff:ff:ff:ff:ff:ff\n",
    );
    expect(normalise(once)).toBe(once);
  });
});

describe("splitScriptCommands", () => {
  it("skips comments and blank lines and numbers from 1", () => {
    const script =
      "# header\n\nip netns add a\n  # indented comment\nip -n a link show\necho rc=$?\n";
    expect(splitScriptCommands(script)).toEqual([
      { line: 3, command: "ip netns add a", source: "ip netns add a" },
      { line: 5, command: "ip -n a link show", source: "ip -n a link show" },
      { line: 6, command: "echo rc=$?", source: "echo rc=$?" },
    ]);
  });

  it("keeps a here-document's body with its command", () => {
    const script = [
      "cat > msg.txt <<'EOF'",
      "# not a comment",
      "",
      "ip netns add x",
      "EOF",
      "nc -w 1 10.0.0.2 9000 < msg.txt",
      "",
    ].join("\n");
    const cmds = splitScriptCommands(script);
    expect(cmds.map((c) => [c.line, c.command])).toEqual([
      [1, "cat > msg.txt <<'EOF'"],
      [6, "nc -w 1 10.0.0.2 9000 < msg.txt"],
    ]);
    expect(cmds[0]?.source).toBe(
      "cat > msg.txt <<'EOF'\n# not a comment\n\nip netns add x\nEOF",
    );
  });

  it("supports unquoted, double-quoted and <<- delimiters", () => {
    expect(
      splitScriptCommands("cat > a <<EOF\nx\nEOF\necho 1\n").map((c) => c.line),
    ).toEqual([1, 4]);
    expect(
      splitScriptCommands('cat > a <<"END"\nx\nEND\necho 1\n').map(
        (c) => c.line,
      ),
    ).toEqual([1, 4]);
    expect(
      splitScriptCommands("cat > a <<-EOF\n\tx\n\tEOF\necho 1\n").map(
        (c) => c.line,
      ),
    ).toEqual([1, 4]);
  });

  it("keeps background and env-prefixed commands verbatim", () => {
    const cmds = splitScriptCommands(
      "ip netns exec b nc -l -p 8080 &\nA=b sysctl x\n",
    );
    expect(cmds.map((c) => c.command)).toEqual([
      "ip netns exec b nc -l -p 8080 &",
      "A=b sysctl x",
    ]);
  });
});

describe("golden format", () => {
  const sections: Section[] = [
    { line: 3, command: "ip netns list", output: "", unstable: false },
    {
      line: 4,
      command: "ip -n a -j route show",
      output: '[{"dst":"default"}]\n',
      unstable: false,
    },
    { line: 7, command: "ip -n a neigh show", output: "", unstable: true },
    { line: 8, command: "echo -n x", output: "abc\ndef", unstable: false },
    { line: 9, command: "echo", output: "\n", unstable: false },
    {
      line: 10,
      command: "ip link set x netns y",
      output: "Error: bad\n\n",
      unstable: false,
    },
  ];

  it("formats headers, bodies, unstable markers and missing final newlines", () => {
    expect(formatGolden(sections)).toBe(
      [
        "@@ 3 $ ip netns list",
        "@@ 4 $ ip -n a -j route show",
        '[{"dst":"default"}]',
        "@@ 7 $ ip -n a neigh show [unstable]",
        "@@ 8 $ echo -n x",
        "abc",
        "def",
        NO_NEWLINE_MARKER,
        "@@ 9 $ echo",
        "",
        "@@ 10 $ ip link set x netns y",
        "Error: bad",
        "",
        "",
      ].join("\n"),
    );
  });

  it("round-trips through parseGolden", () => {
    expect(parseGolden(formatGolden(sections))).toEqual(sections);
  });

  it("rejects text before the first header and bodies under [unstable]", () => {
    expect(() => parseGolden("junk\n@@ 1 $ x\n")).toThrow();
    expect(() => parseGolden("@@ 1 $ x [unstable]\nbody\n")).toThrow();
  });

  it("rejects non-increasing line numbers", () => {
    expect(() => parseGolden("@@ 2 $ a\n@@ 2 $ b\n")).toThrow();
  });
});
