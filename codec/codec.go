// Package codec encrypts herd's Temporal payloads — specs, blueprints,
// statuses, activity inputs and results, heartbeats — with AES-256-GCM, so
// that Temporal's database holds ciphertext. The keys derive from the
// worker's master key, one per generation; each payload names its key in
// its metadata, so a rotated key still decrypts old histories. The client
// and the worker use it; the codec server lets the Temporal UI read.
package codec

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"

	"github.com/herdhq/herd/secrets"
)

// Metadata keys and the encoding of an encrypted payload.
const (
	MetadataEncoding = "encoding"
	MetadataKeyID    = "encryption-key-id"
	Encoding         = "binary/encrypted"
)

// Codec encrypts with the newest key and decrypts with any it holds.
type Codec struct {
	current string
	keys    map[string]cipher.AEAD
}

// New derives the keys of every generation up to kf.Codec.
func New(kf secrets.KeyFile) (*Codec, error) {
	c := &Codec{keys: map[string]cipher.AEAD{}}
	for gen := 1; gen <= max(kf.Codec, 1); gen++ {
		key := kf.Master.CodecKey(gen)
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, fmt.Errorf("payload key %d: %w", gen, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("payload key %d: %w", gen, err)
		}
		c.current = keyID(gen, key)
		c.keys[c.current] = aead
	}
	return c, nil
}

// keyID names a key without telling it: its generation and a fingerprint
// (a payload from another master key is told apart).
func keyID(gen int, key []byte) string {
	sum := sha256.Sum256(key)
	return fmt.Sprintf("herd-g%d-%s", gen, hex.EncodeToString(sum[:4]))
}

// Encode implements converter.PayloadCodec.
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	aead := c.keys[c.current]
	for i, p := range payloads {
		plain, err := proto.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("encode payload: %w", err)
		}
		nonce := make([]byte, aead.NonceSize())
		if _, err := rand.Read(nonce); err != nil {
			return nil, fmt.Errorf("encode payload: %w", err)
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{MetadataEncoding: []byte(Encoding), MetadataKeyID: []byte(c.current)},
			Data:     aead.Seal(nonce, nonce, plain, []byte(c.current)),
		}
	}
	return out, nil
}

// Decode implements converter.PayloadCodec; payloads that are not
// encrypted pass as they are.
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.Metadata[MetadataEncoding]) != Encoding {
			out[i] = p
			continue
		}
		id := string(p.Metadata[MetadataKeyID])
		aead, ok := c.keys[id]
		if !ok {
			return nil, fmt.Errorf("payload encrypted with key %s, which this master key does not derive: is this the worker's master key (--secret-file)?", id)
		}
		if len(p.Data) < aead.NonceSize() {
			return nil, fmt.Errorf("payload encrypted with key %s is too short", id)
		}
		nonce, sealed := p.Data[:aead.NonceSize()], p.Data[aead.NonceSize():]
		plain, err := aead.Open(nil, nonce, sealed, []byte(id))
		if err != nil {
			return nil, fmt.Errorf("decrypt payload with key %s: %w", id, err)
		}
		out[i] = &commonpb.Payload{}
		if err := proto.Unmarshal(plain, out[i]); err != nil {
			return nil, fmt.Errorf("decode decrypted payload: %w", err)
		}
	}
	return out, nil
}

// DataConverter is Temporal's default converter with payloads encrypted
// (large ones compressed first).
func (c *Codec) DataConverter() converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), c.chain()...)
}

// chain is the codecs in the order the SDK takes them: each wraps the
// ones after it, so a large payload is compressed before it is encrypted,
// as ciphertext does not compress.
func (c *Codec) chain() []converter.PayloadCodec {
	return []converter.PayloadCodec{c, compressLarge{converter.NewZlibCodec(converter.ZlibCodecOptions{})}}
}

// Load reads the master key file and returns its codec.
func Load(path string) (*Codec, error) {
	kf, err := secrets.ReadKeyFile(path)
	if err != nil {
		return nil, err
	}
	return New(kf)
}
