package inventory

import (
	"net/netip"
	"strings"
	"unicode/utf8"

	"github.com/parc-hq/parc/domain/client"
)

// RawRecord is one element of a push as decoded from the wire: values are
// whatever JSON held (nil when absent or null), so that a wrong type rejects
// one record instead of the whole request.
type RawRecord struct {
	NotObject    bool // the element is not a JSON object
	ComputerName any
	IPAddress    any
	Program      any
	Version      any
}

// Record is a valid record of a push.
type Record struct {
	Computer ComputerName
	IP       netip.Addr // zero when the record gave none
	Program  ProgramName
	Version  string
}

// Problem is why one record of a push was rejected: its index in the
// request, the field at fault ("" for the record as a whole), and the
// problem as a type with the values of its rule, never a sentence (the HTTP
// adapter words it):
//
//	not_object  the record is not a JSON object
//	missing     the field is absent or null
//	type        the field is not a string
//	blank       the field is only white space
//	utf8        the field is not valid UTF-8
//	control     the field holds a control character (U+0000 to U+001F)
//	too_long    the field is longer than Params["max_length"] characters
//	ip_address  ip_address is not an IPv4 or IPv6 address
type Problem struct {
	Index  int
	Field  string
	Type   string
	Params map[string]any
}

// Types of the record problems (see Problem).
const (
	ProblemNotObject = "not_object"
	ProblemMissing   = "missing"
	ProblemType      = "type"
	ProblemBlank     = "blank"
	ProblemUTF8      = "utf8"
	ProblemControl   = "control"
	ProblemTooLong   = "too_long"
	ProblemIP        = "ip_address"
)

// Validation outcome of a push.
type Validation struct {
	Valid    []Record  // in request order, duplicates included
	Problems []Problem // by index, then field
	Rejected int       // records with at least one problem
	// Incomplete holds the keys of the computers named by a rejected
	// record: what the request says of them is partial.
	Incomplete map[string]bool
}

// ValidateRecords checks every record: computer_name, program and version
// are required non-blank strings within their lengths, without control
// characters; ip_address, when
// given (not null, not ""), is an IPv4 or IPv6 address. A record with any
// problem is rejected as a whole; the others are valid.
func ValidateRecords(raw []RawRecord) Validation {
	var out Validation
	for i, r := range raw {
		if r.NotObject {
			out.Problems = append(out.Problems, Problem{Index: i, Type: ProblemNotObject})
			out.Rejected++
			continue
		}
		before := len(out.Problems)
		add := func(field, typ string, params map[string]any) {
			out.Problems = append(out.Problems, Problem{Index: i, Field: field, Type: typ, Params: params})
		}
		computer := requiredText(add, "computer_name", r.ComputerName, MaxComputerNameLen)
		program := requiredText(add, "program", r.Program, MaxProgramLen)
		version := requiredText(add, "version", r.Version, MaxVersionLen)
		ip := ipAddress(add, r.IPAddress)
		if len(out.Problems) > before {
			out.Rejected++
			if computer != "" {
				if out.Incomplete == nil {
					out.Incomplete = map[string]bool{}
				}
				out.Incomplete[ComputerKey(computer)] = true
			}
			continue
		}
		out.Valid = append(out.Valid, Record{Computer: NewComputerName(computer), IP: ip, Program: NewProgramName(program), Version: version})
	}
	return out
}

// hasControl reports a C0 control character (U+0000 to U+001F) anywhere in
// s, surrounding whitespace included. No name or version needs one, and
// backends disagree on them: PostgreSQL refuses NUL in text, the others
// store it.
func hasControl(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r < 0x20 }) >= 0
}

// SearchableText reports a text that a stored name or version can equal:
// valid UTF-8 without control characters. Other query values match nothing
// and some backends refuse them.
func SearchableText(s string) bool {
	return utf8.ValidString(s) && !hasControl(s)
}

// ipAddress reads ip_address when given (not null, not ""): an IPv4 or
// IPv6 address; the zero address otherwise.
func ipAddress(add func(field, typ string, params map[string]any), v any) netip.Addr {
	switch v := v.(type) {
	case nil:
	case string:
		if hasControl(v) {
			add("ip_address", ProblemControl, nil)
		} else if v != "" {
			a, err := client.ParseIP("ip_address", v)
			if err != nil {
				add("ip_address", ProblemIP, nil)
			}
			return a
		}
	default:
		add("ip_address", ProblemType, nil)
	}
	return netip.Addr{}
}

func requiredText(add func(field, typ string, params map[string]any), field string, v any, max int) string {
	s, ok := v.(string)
	switch {
	case v == nil:
		add(field, ProblemMissing, nil)
	case !ok:
		add(field, ProblemType, nil)
	case strings.TrimSpace(s) == "":
		add(field, ProblemBlank, nil)
	case !utf8.ValidString(s):
		add(field, ProblemUTF8, nil)
	case hasControl(s):
		add(field, ProblemControl, nil)
	case utf8.RuneCountInString(strings.TrimSpace(s)) > max:
		add(field, ProblemTooLong, map[string]any{"max_length": max})
	default:
		return strings.TrimSpace(s)
	}
	return ""
}

// Computer is one computer of a push: its name as first spelt in the
// request, and the address of its last record that gave one.
type Computer struct {
	Name ComputerName
	IP   netip.Addr
}

// Computers lists the distinct computers of records, sorted by key.
func Computers(records []Record) []Computer {
	byKey := map[string]int{}
	var out []Computer
	for _, r := range records {
		i, seen := byKey[r.Computer.Key()]
		if !seen {
			i = len(out)
			byKey[r.Computer.Key()] = i
			out = append(out, Computer{Name: r.Computer})
		}
		if r.IP.IsValid() {
			out[i].IP = r.IP
		}
	}
	sortComputers(out)
	return out
}
