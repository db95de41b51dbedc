package codec

import (
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"
)

// CompressFrom is the size from which a payload is compressed: half of the
// size from which Temporal warns (512 KiB). A large cluster's node lists
// and state repeat themselves: compressed, the state of herd's largest
// cluster stays under half of Temporal's 2 MiB limit on one payload.
// Smaller payloads are left as they were before herd compressed, so that
// workers of an earlier release, which cannot read compressed payloads,
// can still run beside this one for clusters of a few hundred nodes.
const CompressFrom = 256 << 10

// compressLarge zlib-compresses the payloads of CompressFrom bytes or more
// (when that makes them smaller) and decodes any compressed payload.
type compressLarge struct{ zlib converter.PayloadCodec }

// Encode implements converter.PayloadCodec.
func (z compressLarge) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		out[i] = p
		if proto.Size(p) < CompressFrom {
			continue
		}
		enc, err := z.zlib.Encode([]*commonpb.Payload{p})
		if err != nil {
			return nil, err
		}
		out[i] = enc[0]
	}
	return out, nil
}

// Decode implements converter.PayloadCodec; payloads that are not
// compressed pass as they are.
func (z compressLarge) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	return z.zlib.Decode(payloads)
}
