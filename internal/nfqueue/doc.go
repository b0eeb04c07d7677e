// Package nfqueue speaks the netfilter queue protocol (nfnetlink_queue) over
// a NETLINK_NETFILTER socket: bind a queue number, receive the packets the
// kernel hands to it, and give each one a verdict.
//
// It exists because the lab's kernel has no netem qdisc: delaying,
// reordering and releasing packets from user space is the only way to add
// latency there. It is pure Go (github.com/mdlayher/netlink), so the static
// netfault helper can use it.
//
// The wire format follows include/uapi/linux/netfilter/nfnetlink_queue.h and
// nfnetlink.h: every message starts with a struct nfgenmsg (family, version,
// big-endian queue number) followed by netlink attributes whose payloads are
// big-endian (network byte order), while the netlink and attribute headers
// themselves are host order.
//
// What the protocol cannot do: a verdict accepts, drops, re-queues or
// repeats (re-runs the hook for) the same packet; there is no verdict that
// clones it. NF_REPEAT is not a duplicate: the packet traverses the hook
// again once, it is still delivered once. Duplication therefore needs
// another mechanism (netfault uses the nftables "dup" expression).
package nfqueue
