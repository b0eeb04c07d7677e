package nfqueue

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// Protocol numbers from the kernel's uapi headers (nfnetlink.h,
// nfnetlink_queue.h, netfilter.h). They are written out here rather than
// taken from x/sys/unix, which does not carry the queue subsystem's.
const (
	subsysQueue = 3 // NFNL_SUBSYS_QUEUE

	msgPacket       = 0 // NFQNL_MSG_PACKET: kernel → user
	msgVerdict      = 1 // NFQNL_MSG_VERDICT: user → kernel
	msgConfig       = 2 // NFQNL_MSG_CONFIG
	msgVerdictBatch = 3 // NFQNL_MSG_VERDICT_BATCH: one verdict for every id ≤ id

	nfnetlinkV0 = 0 // NFNETLINK_V0

	// enum nfqnl_attr_type
	attrPacketHdr  = 1  // NFQA_PACKET_HDR: struct nfqnl_msg_packet_hdr
	attrVerdictHdr = 2  // NFQA_VERDICT_HDR: struct nfqnl_msg_verdict_hdr
	attrMark       = 3  // NFQA_MARK: __be32
	attrTimestamp  = 4  // NFQA_TIMESTAMP: struct nfqnl_msg_packet_timestamp
	attrInDev      = 5  // NFQA_IFINDEX_INDEV: __be32
	attrOutDev     = 6  // NFQA_IFINDEX_OUTDEV: __be32
	attrPayload    = 10 // NFQA_PAYLOAD
	attrCapLen     = 13 // NFQA_CAP_LEN: __be32, the packet's length when the payload is cut
	attrSkbInfo    = 14 // NFQA_SKB_INFO: __be32 NFQA_SKB_* flags

	// enum nfqnl_attr_config
	attrCfgCmd    = 1 // NFQA_CFG_CMD: struct nfqnl_msg_config_cmd
	attrCfgParams = 2 // NFQA_CFG_PARAMS: struct nfqnl_msg_config_params
	attrCfgMaxLen = 3 // NFQA_CFG_QUEUE_MAXLEN: __be32
	attrCfgMask   = 4 // NFQA_CFG_MASK: __be32, which NFQA_CFG_FLAGS bits to change
	attrCfgFlags  = 5 // NFQA_CFG_FLAGS: __be32

	// enum nfqnl_msg_config_cmds
	cmdBind   = 1 // NFQNL_CFG_CMD_BIND
	cmdUnbind = 2 // NFQNL_CFG_CMD_UNBIND

	packetHdrLen = 7 // struct nfqnl_msg_packet_hdr is packed: __be32 id, __be16 hw_protocol, __u8 hook
)

// CopyMode says how much of each packet the kernel copies to user space.
type CopyMode uint8

const (
	CopyNone   CopyMode = 0 // NFQNL_COPY_NONE
	CopyMeta   CopyMode = 1 // NFQNL_COPY_META: metadata only, no payload
	CopyPacket CopyMode = 2 // NFQNL_COPY_PACKET: up to CopyRange bytes of payload
)

// Config flags (NFQA_CFG_F_*).
const (
	// FlagFailOpen: when the queue is full, the kernel accepts new packets
	// instead of dropping them. A helper that stops reading then degrades
	// to "no fault" rather than to a black hole.
	FlagFailOpen  uint32 = 1 << 0
	FlagConntrack uint32 = 1 << 1 // attach conntrack information
	// FlagGSO: the helper takes GSO (unsegmented) packets, so the kernel
	// need not segment them in software before queueing.
	FlagGSO    uint32 = 1 << 2
	FlagUIDGID uint32 = 1 << 3 // attach the socket owner
	FlagSecCtx uint32 = 1 << 4 // attach the security context
)

// A Verdict is what happens to a queued packet (NF_* in netfilter.h).
type Verdict uint32

const (
	Drop   Verdict = 0 // NF_DROP
	Accept Verdict = 1 // NF_ACCEPT: continue with the next hook function
	Stolen Verdict = 2 // NF_STOLEN
	Queue  Verdict = 3 // NF_QUEUE
	Repeat Verdict = 4 // NF_REPEAT: run the hook again (once more, not twice)
	Stop   Verdict = 5 // NF_STOP
)

// Config is how a queue is bound.
type Config struct {
	// Queue is the queue number the nftables/iptables rules send to.
	Queue uint16
	// Copy and CopyRange say how much of each packet comes up (CopyMeta:
	// none of the payload; CopyPacket: CopyRange bytes, 0 meaning all).
	Copy      CopyMode
	CopyRange uint32
	// MaxLen bounds the packets the kernel keeps waiting for a verdict
	// (0: the kernel default, 1024). Beyond it packets are dropped, or
	// accepted with FlagFailOpen.
	MaxLen uint32
	// Flags are NFQA_CFG_F_* bits to set; they are the only ones changed.
	Flags uint32
}

// header builds the nfnetlink message type for a queue message.
func msgType(msg uint8) netlink.HeaderType {
	return netlink.HeaderType(subsysQueue<<8 | uint16(msg))
}

// nfgen is struct nfgenmsg for the queue: family, NFNETLINK_V0, and the
// queue number in network byte order.
func nfgen(family uint8, queue uint16) []byte {
	b := []byte{family, nfnetlinkV0, 0, 0}
	binary.BigEndian.PutUint16(b[2:], queue)
	return b
}

func encodeAttrs(f func(ae *netlink.AttributeEncoder)) ([]byte, error) {
	ae := netlink.NewAttributeEncoder()
	ae.ByteOrder = binary.BigEndian
	f(ae)
	return ae.Encode()
}

// BindMessage is the request that binds cfg.Queue to the sending socket and
// sets its copy mode, length limit and flags, all in one config message (the
// kernel applies the command first, then the parameters). It asks for an
// acknowledgement so errors come back.
func BindMessage(cfg Config) (netlink.Message, error) {
	attrs, err := encodeAttrs(func(ae *netlink.AttributeEncoder) {
		ae.Bytes(attrCfgCmd, []byte{cmdBind, 0, 0, 0}) // command, pad, __be16 pf (unused by BIND)
		params := make([]byte, 5)                      // __be32 copy_range, __u8 copy_mode (packed)
		binary.BigEndian.PutUint32(params, cfg.CopyRange)
		params[4] = uint8(cfg.Copy)
		ae.Bytes(attrCfgParams, params)
		if cfg.MaxLen > 0 {
			ae.Uint32(attrCfgMaxLen, cfg.MaxLen)
		}
		if cfg.Flags != 0 {
			// The kernel refuses flags without a mask.
			ae.Uint32(attrCfgFlags, cfg.Flags)
			ae.Uint32(attrCfgMask, cfg.Flags)
		}
	})
	if err != nil {
		return netlink.Message{}, fmt.Errorf("nfqueue: encode bind: %w", err)
	}
	return netlink.Message{
		Header: netlink.Header{Type: msgType(msgConfig), Flags: netlink.Request | netlink.Acknowledge},
		Data:   append(nfgen(unix.AF_UNSPEC, cfg.Queue), attrs...),
	}, nil
}

// UnbindMessage releases the queue; packets still waiting are dropped by the
// kernel (as when the socket closes).
func UnbindMessage(queue uint16) netlink.Message {
	attrs, _ := encodeAttrs(func(ae *netlink.AttributeEncoder) {
		ae.Bytes(attrCfgCmd, []byte{cmdUnbind, 0, 0, 0})
	})
	return netlink.Message{
		Header: netlink.Header{Type: msgType(msgConfig), Flags: netlink.Request | netlink.Acknowledge},
		Data:   append(nfgen(unix.AF_UNSPEC, queue), attrs...),
	}
}

// VerdictMessage gives packet id of the queue its verdict. It asks for no
// acknowledgement: the kernel answers only on error.
func VerdictMessage(queue uint16, id uint32, v Verdict) netlink.Message {
	return verdictMsg(msgVerdict, queue, id, v)
}

// VerdictBatchMessage gives every packet of the queue with an id ≤ id the
// same verdict.
func VerdictBatchMessage(queue uint16, id uint32, v Verdict) netlink.Message {
	return verdictMsg(msgVerdictBatch, queue, id, v)
}

func verdictMsg(msg uint8, queue uint16, id uint32, v Verdict) netlink.Message {
	hdr := make([]byte, 8) // struct nfqnl_msg_verdict_hdr: __be32 verdict, __be32 id
	binary.BigEndian.PutUint32(hdr, uint32(v))
	binary.BigEndian.PutUint32(hdr[4:], id)
	attrs, _ := encodeAttrs(func(ae *netlink.AttributeEncoder) { ae.Bytes(attrVerdictHdr, hdr) })
	return netlink.Message{
		Header: netlink.Header{Type: msgType(msg), Flags: netlink.Request},
		Data:   append(nfgen(unix.AF_UNSPEC, queue), attrs...),
	}
}

// Packet is one queued packet as the kernel reports it.
type Packet struct {
	Queue      uint16
	ID         uint32 // the handle for the verdict
	HWProtocol uint16 // link-layer protocol, e.g. 0x0800 for IPv4
	Hook       uint8  // netfilter hook: 1 = input, 3 = output, ...
	Mark       uint32
	InDev      uint32 // ifindex, 0 when none
	OutDev     uint32
	// Time is the packet's receive timestamp when the kernel has one
	// (incoming packets), else zero.
	Time time.Time
	// Payload is the copied part of the packet, from the network header
	// on; empty with CopyMeta.
	Payload []byte
	// Len is the packet's full length when Payload was cut (NFQA_CAP_LEN),
	// else len(Payload).
	Len uint32
}

// ErrNotPacket is returned by DecodePacket for a message of another type.
var ErrNotPacket = errors.New("nfqueue: not a packet message")

// DecodePacket decodes an NFQNL_MSG_PACKET message.
func DecodePacket(m netlink.Message) (Packet, error) {
	if m.Header.Type != msgType(msgPacket) {
		return Packet{}, fmt.Errorf("%w: type %#x", ErrNotPacket, uint16(m.Header.Type))
	}
	if len(m.Data) < 4 {
		return Packet{}, fmt.Errorf("nfqueue: packet message of %d bytes, shorter than nfgenmsg", len(m.Data))
	}
	p := Packet{Queue: binary.BigEndian.Uint16(m.Data[2:4])}
	ad, err := netlink.NewAttributeDecoder(m.Data[4:])
	if err != nil {
		return Packet{}, fmt.Errorf("nfqueue: packet attributes: %w", err)
	}
	ad.ByteOrder = binary.BigEndian
	var haveHdr, haveCapLen bool
	for ad.Next() {
		switch ad.Type() {
		case attrPacketHdr:
			b := ad.Bytes()
			if len(b) < packetHdrLen {
				return Packet{}, fmt.Errorf("nfqueue: packet header of %d bytes, want %d", len(b), packetHdrLen)
			}
			p.ID = binary.BigEndian.Uint32(b)
			p.HWProtocol = binary.BigEndian.Uint16(b[4:])
			p.Hook = b[6]
			haveHdr = true
		case attrMark:
			p.Mark = ad.Uint32()
		case attrInDev:
			p.InDev = ad.Uint32()
		case attrOutDev:
			p.OutDev = ad.Uint32()
		case attrTimestamp:
			b := ad.Bytes() // struct nfqnl_msg_packet_timestamp: __be64 sec, __be64 usec
			if len(b) >= 16 {
				sec := int64(binary.BigEndian.Uint64(b))
				usec := int64(binary.BigEndian.Uint64(b[8:]))
				p.Time = time.Unix(sec, usec*1000)
			}
		case attrPayload:
			p.Payload = ad.Bytes()
		case attrCapLen:
			p.Len = ad.Uint32()
			haveCapLen = true
		}
	}
	if err := ad.Err(); err != nil {
		return Packet{}, fmt.Errorf("nfqueue: packet attributes: %w", err)
	}
	if !haveHdr {
		return Packet{}, errors.New("nfqueue: packet message without NFQA_PACKET_HDR")
	}
	if !haveCapLen {
		p.Len = uint32(len(p.Payload))
	}
	return p, nil
}
