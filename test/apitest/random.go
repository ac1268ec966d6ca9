package apitest

import (
	"crypto/rand"
	"encoding/hex"
)

func randomCode() string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
