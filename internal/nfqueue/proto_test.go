package nfqueue

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/mdlayher/netlink"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// attr builds one netlink attribute by hand: host-order length and type,
// payload, padding to 4 bytes. Deliberately independent of the encoder.
func attr(typ uint16, payload []byte) []byte {
	b := make([]byte, 4, 4+len(payload)+3)
	binary.NativeEndian.PutUint16(b, uint16(4+len(payload)))
	binary.NativeEndian.PutUint16(b[2:], typ)
	b = append(b, payload...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func be32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

func TestBindMessageLayout(t *testing.T) {
	m, err := BindMessage(Config{Queue: 0x0102, Copy: CopyPacket, CopyRange: 0xffff, MaxLen: 5000, Flags: FlagFailOpen | FlagGSO})
	require.NoError(t, err)
	assert.Equal(t, netlink.HeaderType(0x0302), m.Header.Type, "NFNL_SUBSYS_QUEUE<<8 | NFQNL_MSG_CONFIG")
	assert.Equal(t, netlink.Request|netlink.Acknowledge, m.Header.Flags)
	want := []byte{0, 0, 0x01, 0x02}                                    // nfgenmsg: AF_UNSPEC, NFNETLINK_V0, queue big-endian
	want = append(want, attr(1, []byte{1, 0, 0, 0})...)                 // NFQA_CFG_CMD: BIND
	want = append(want, attr(2, []byte{0, 0, 0xff, 0xff, 2})...)        // NFQA_CFG_PARAMS: range, mode
	want = append(want, attr(3, be32(5000))...)                         // NFQA_CFG_QUEUE_MAXLEN
	want = append(want, attr(5, be32(uint32(FlagFailOpen|FlagGSO)))...) // NFQA_CFG_FLAGS
	want = append(want, attr(4, be32(uint32(FlagFailOpen|FlagGSO)))...) // NFQA_CFG_MASK
	assert.Equal(t, want, m.Data)
}

func TestBindMessageOmitsDefaults(t *testing.T) {
	m, err := BindMessage(Config{Queue: 7, Copy: CopyMeta})
	require.NoError(t, err)
	want := []byte{0, 0, 0, 7}
	want = append(want, attr(1, []byte{1, 0, 0, 0})...)
	want = append(want, attr(2, []byte{0, 0, 0, 0, 1})...)
	assert.Equal(t, want, m.Data, "no maxlen, flags or mask attributes when they are zero")
}

func TestUnbindMessage(t *testing.T) {
	m := UnbindMessage(3)
	assert.Equal(t, netlink.HeaderType(0x0302), m.Header.Type)
	assert.Equal(t, append([]byte{0, 0, 0, 3}, attr(1, []byte{2, 0, 0, 0})...), m.Data)
}

func TestVerdictMessages(t *testing.T) {
	m := VerdictMessage(9, 0xdeadbeef, Accept)
	assert.Equal(t, netlink.HeaderType(0x0301), m.Header.Type, "NFQNL_MSG_VERDICT")
	assert.Equal(t, netlink.Request, m.Header.Flags, "no ack: the kernel answers errors only")
	hdr := append(be32(1), 0xde, 0xad, 0xbe, 0xef) // NF_ACCEPT, id, both big-endian
	assert.Equal(t, append([]byte{0, 0, 0, 9}, attr(2, hdr)...), m.Data)

	b := VerdictBatchMessage(9, 42, Drop)
	assert.Equal(t, netlink.HeaderType(0x0303), b.Header.Type, "NFQNL_MSG_VERDICT_BATCH")
	assert.Equal(t, append([]byte{0, 0, 0, 9}, attr(2, append(be32(0), be32(42)...))...), b.Data)
}

// packetMsg is an NFQNL_MSG_PACKET as the kernel builds it.
func packetMsg(queue uint16, attrs ...[]byte) netlink.Message {
	data := []byte{2, 0, byte(queue >> 8), byte(queue)} // AF_INET
	for _, a := range attrs {
		data = append(data, a...)
	}
	return netlink.Message{Header: netlink.Header{Type: 0x0300}, Data: data}
}

func TestDecodePacket(t *testing.T) {
	payload := []byte{0x45, 0, 0, 20, 1, 2, 3, 4, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 0xaa} // 21 bytes: padded
	ts := append(binary.BigEndian.AppendUint64(nil, 1700000000), binary.BigEndian.AppendUint64(nil, 250000)...)
	m := packetMsg(513,
		attr(1, []byte{0, 0, 1, 0, 0x08, 0x00, 3}), // id 256, IPv4, NF_INET_LOCAL_OUT
		attr(3, be32(0x77)),
		attr(4, ts),
		attr(6, be32(2)),
		attr(99, []byte{1, 2, 3}), // an attribute this package does not know
		attr(10, payload),
		attr(13, be32(1500)),
	)
	p, err := DecodePacket(m)
	require.NoError(t, err)
	assert.Equal(t, Packet{
		Queue: 513, ID: 256, HWProtocol: 0x0800, Hook: 3, Mark: 0x77, OutDev: 2,
		Time: time.Unix(1700000000, 250000*1000), Payload: payload, Len: 1500,
	}, p)
}

func TestDecodePacketMetaOnly(t *testing.T) {
	p, err := DecodePacket(packetMsg(1, attr(1, []byte{0, 0, 0, 5, 0x08, 0x00, 1}), attr(5, be32(4))))
	require.NoError(t, err)
	assert.Equal(t, uint32(5), p.ID)
	assert.Equal(t, uint32(4), p.InDev)
	assert.Empty(t, p.Payload)
	assert.Zero(t, p.Len)
	assert.True(t, p.Time.IsZero())
}

func TestDecodePacketRejects(t *testing.T) {
	for name, m := range map[string]netlink.Message{
		"other type":     {Header: netlink.Header{Type: 0x0302}, Data: []byte{0, 0, 0, 1}},
		"short nfgenmsg": {Header: netlink.Header{Type: 0x0300}, Data: []byte{0, 0}},
		"no header":      packetMsg(1, attr(3, be32(1))),
		"short header":   packetMsg(1, attr(1, []byte{0, 0, 0, 5, 0x08})),
		"bad attribute":  packetMsg(1, []byte{200, 0, 1, 0}),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := DecodePacket(m)
			assert.Error(t, err)
		})
	}
	_, err := DecodePacket(netlink.Message{Header: netlink.Header{Type: 0x0302}})
	assert.ErrorIs(t, err, ErrNotPacket)
}
