package domain

import (
	"strings"
)

// MaxCodeLen bounds every human-chosen code (companies, projects).
const MaxCodeLen = 64

// CheckCode is the one rule of human-chosen codes: 1 to MaxCodeLen ASCII
// letters, digits and the characters of punctuation (each area says which;
// "_-" for instance). Codes appear in URLs and compare exactly. Problems
// are at path {"code"}: "missing", "too_long" {"max_length"}, or "pattern"
// of rule "code_chars" {"punctuation"}.
func CheckCode(s, punctuation string) error {
	switch {
	case s == "":
		return Invalid("missing", nil, "code")
	case len(s) > MaxCodeLen:
		return Invalid("too_long", Params{"max_length": MaxCodeLen}, "code")
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(punctuation, r)) {
			return Invalid("pattern", Params{RuleParam: "code_chars", "punctuation": punctuation}, "code")
		}
	}
	return nil
}
