package tenant

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"fmt"
	"strings"
	"time"

	"github.com/parc-hq/parc/domain"
)

// An API key reads "parc_<prefix>_<secret>". The prefix is public: it is shown
// in listings and used to find the stored key in one indexed lookup; the secret
// is shown once at creation and only its SHA-256 digest is stored. A fast hash
// is enough because the secret carries 160 random bits: there is nothing to
// brute-force, unlike a password.
const (
	keyScheme    = "parc"
	prefixBytes  = 5  // 8 base32 characters
	secretBytes  = 20 // 32 base32 characters
	prefixLength = 8
	secretLength = 32
)

var keyEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// ErrMalformedKey is returned for text that cannot be an API key at all.
var ErrMalformedKey = domain.Unauthenticated("malformed API key")

// KeyHash is the stored digest of a key's secret.
type KeyHash [sha256.Size]byte

// Secret is a freshly generated key in clear text. It exists only in the
// answer to the call that created it.
type Secret struct {
	Prefix string
	Text   string // the whole key, "parc_<prefix>_<secret>"
	Hash   KeyHash
}

// GenerateKey draws a new key from crypto/rand.
func GenerateKey() (Secret, error) {
	buf := make([]byte, prefixBytes+secretBytes)
	if _, err := rand.Read(buf); err != nil {
		return Secret{}, fmt.Errorf("generate API key: %w", err)
	}
	prefix := keyEncoding.EncodeToString(buf[:prefixBytes])
	secret := keyEncoding.EncodeToString(buf[prefixBytes:])
	return Secret{
		Prefix: prefix,
		Text:   keyScheme + "_" + prefix + "_" + secret,
		Hash:   sha256.Sum256([]byte(secret)),
	}, nil
}

// PresentedKey is a key as a caller sent it, split into its parts.
type PresentedKey struct {
	Prefix string
	hash   KeyHash
}

// ParseKey splits a presented key. It never echoes the key in its error.
func ParseKey(raw string) (PresentedKey, error) {
	parts := strings.Split(strings.TrimSpace(raw), "_")
	if len(parts) != 3 || parts[0] != keyScheme || len(parts[1]) != prefixLength || len(parts[2]) != secretLength {
		return PresentedKey{}, ErrMalformedKey
	}
	return PresentedKey{Prefix: parts[1], hash: sha256.Sum256([]byte(parts[2]))}, nil
}

// UnknownKeyHash is compared with a presented key whose prefix matches no
// stored key, so that an unknown prefix costs what a known one does.
var UnknownKeyHash = KeyHash(sha256.Sum256([]byte("no key has this prefix")))

// Matches compares the presented secret with a stored digest in constant time.
func (p PresentedKey) Matches(stored KeyHash) bool {
	return subtle.ConstantTimeCompare(p.hash[:], stored[:]) == 1
}

// APIKey is a stored key: never the secret, only its digest.
type APIKey struct {
	id         string
	companyID  string
	name       string
	prefix     string
	hash       KeyHash
	createdAt  time.Time
	lastUsedAt *time.Time
	revokedAt  *time.Time
}

// NewAPIKey describes a freshly generated key for storage.
func NewAPIKey(id, companyID, name string, s Secret, now time.Time) (APIKey, error) {
	v := &domain.ValidationError{}
	if name = domain.Text(v, name, false, domain.MaxNameLen, "name"); name == "" {
		name = "default"
	}
	if err := v.OrNil(); err != nil {
		return APIKey{}, err
	}
	return APIKey{id: id, companyID: companyID, name: name, prefix: s.Prefix, hash: s.Hash, createdAt: now.UTC()}, nil
}

// APIKeyRecord is a key as stored, for RestoreAPIKey.
type APIKeyRecord struct {
	ID, CompanyID         string
	Name, Prefix          string
	Hash                  KeyHash
	CreatedAt             time.Time
	LastUsedAt, RevokedAt *time.Time // nil: never
}

// RestoreAPIKey rebuilds a stored key without validating it again.
func RestoreAPIKey(r APIKeyRecord) APIKey {
	return APIKey{id: r.ID, companyID: r.CompanyID, name: r.Name, prefix: r.Prefix, hash: r.Hash,
		createdAt: r.CreatedAt.UTC(), lastUsedAt: utcPtr(r.LastUsedAt), revokedAt: utcPtr(r.RevokedAt)}
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func (k APIKey) ID() string             { return k.id }
func (k APIKey) CompanyID() string      { return k.companyID }
func (k APIKey) Name() string           { return k.name }
func (k APIKey) Prefix() string         { return k.prefix }
func (k APIKey) Hash() KeyHash          { return k.hash }
func (k APIKey) CreatedAt() time.Time   { return k.createdAt }
func (k APIKey) LastUsedAt() *time.Time { return k.lastUsedAt }
func (k APIKey) RevokedAt() *time.Time  { return k.revokedAt }
func (k APIKey) Revoked() bool          { return k.revokedAt != nil }

// ErrKeyRejected is the one answer to every failed authentication: the caller
// learns nothing about which check failed.
var ErrKeyRejected = domain.Unauthenticated("invalid or revoked API key")

// Authenticate checks a presented key against its stored record and company.
func Authenticate(p PresentedKey, k APIKey, c Company) error {
	if !p.Matches(k.hash) || k.Revoked() || k.companyID != c.id || !c.Active() {
		return ErrKeyRejected
	}
	return nil
}

// LastUsedGranularity bounds how often a key's last-used time is written:
// recording every request would turn each read into a write.
const LastUsedGranularity = time.Minute

// NeedsTouch reports whether a use at now should be recorded.
func (k APIKey) NeedsTouch(now time.Time) bool {
	return k.lastUsedAt == nil || now.Sub(*k.lastUsedAt) >= LastUsedGranularity
}
