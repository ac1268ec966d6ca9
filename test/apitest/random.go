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

// UniqueCode is prefix and a random suffix: a company or project code that
// no other run of a test meets in a database it shares (go test -count).
func UniqueCode(prefix string) string { return prefix + randomCode() }
