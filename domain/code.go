package domain

import (
	"fmt"
	"strings"
)

// MaxCodeLen bounds every human-chosen code (companies, projects).
const MaxCodeLen = 64

// CheckCode is the one rule of human-chosen codes: 1 to MaxCodeLen ASCII
// letters, digits and the characters of punctuation (each area says which;
// "_-" for instance). Codes appear in URLs and compare exactly. Problems
// are at path {"code"}.
func CheckCode(s, punctuation string) error {
	switch {
	case s == "":
		return Invalid("missing", "code is required", "code")
	case len(s) > MaxCodeLen:
		return Invalid("too_long", fmt.Sprintf("code must be at most %d characters", MaxCodeLen), "code")
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(punctuation, r)) {
			return Invalid("pattern", "code may contain only letters, digits"+quotedList(punctuation), "code")
		}
	}
	return nil
}

// quotedList writes ", '_' and '-'" for "_-".
func quotedList(chars string) string {
	var quoted []string
	for _, r := range chars {
		quoted = append(quoted, "'"+string(r)+"'")
	}
	if len(quoted) == 0 {
		return ""
	}
	last := quoted[len(quoted)-1]
	if len(quoted) == 1 {
		return " and " + last
	}
	return ", " + strings.Join(quoted[:len(quoted)-1], ", ") + " and " + last
}
