package inventory

import (
	"cmp"
	"iter"
	"net/netip"
	"slices"
	"strings"
	"unicode"
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

// Validation outcome of a push: of its valid records, only what the push
// writes, merged (a push of a million records for a few thousand
// installations holds a few thousand).
type Validation struct {
	Accepted int // valid records, duplicates included
	// Computers are the computers the valid records name, sorted by key:
	// each under its first spelling, with the last address given.
	Computers []Computer
	Problems  []Problem // by index, then field; at most the validator's maximum
	// ProblemCount counts the problems found, listed in Problems or not.
	ProblemCount int
	Rejected     int // records with at least one problem
	// Incomplete holds the keys of the pushed computers (those of valid
	// records) that a rejected record names: what the request says of them
	// is partial.
	Incomplete map[string]bool
	// installs are the installations the valid records name, one per
	// computer and program key, sorted by computer (as Computers), then
	// program key.
	installs []pushed
}

// pushed is an installation a push names: 40 bytes, the texts as the
// record gave them (trimmed), so that a push of a million records holds
// little more than its body.
type pushed struct {
	computer int32 // an index of Validation.Computers (before sorting: of the validator's)
	seq      int32 // the record's place among the valid records
	program  string
	version  string
}

// Install is an installation a push names.
type Install struct {
	Computer string // the computer's key (Computer.Name.Key())
	Program  ProgramName
	Version  string
}

// Installs are the installations of the push, one per computer and program
// key: the last version given, the first spelling of the program. They
// come in chunks of whole computers, sorted by computer key, of about n
// installations each (more when one computer has more): computers is a
// part of Validation.Computers, installs theirs.
func (v Validation) Installs(n int) iter.Seq2[[]Computer, []Install] {
	return func(yield func([]Computer, []Install) bool) {
		// Every pushed computer has installations: a chunk's computers are
		// those from its first installation's to its last one's.
		for i := 0; i < len(v.installs); {
			j := min(i+max(n, 1), len(v.installs))
			for j < len(v.installs) && v.installs[j].computer == v.installs[j-1].computer {
				j++ // a computer's installations are in one chunk
			}
			out := make([]Install, j-i)
			for k, p := range v.installs[i:j] {
				out[k] = Install{Computer: v.Computers[p.computer].Name.Key(), Program: NewProgramName(p.program), Version: p.version}
			}
			if !yield(v.Computers[v.installs[i].computer:v.installs[j-1].computer+1], out) {
				return
			}
			i = j
		}
	}
}

// ValidateRecords checks every record (see Validator).
func ValidateRecords(raw []RawRecord) Validation {
	v := NewValidator(0)
	for _, r := range raw {
		v.Add(r)
	}
	if v.out.Rejected > 0 {
		for _, r := range raw {
			v.NoteIncomplete(r)
		}
	}
	return v.Validation()
}

// Validator checks the records of a push one at a time, in request order:
// computer_name, program and version are required non-blank strings within
// their lengths, without control characters; ip_address, when given (not
// null, not ""), is an IPv4 or IPv6 address. A record with any problem is
// rejected as a whole; the others are valid.
type Validator struct {
	out       Validation
	max       int            // problems kept (0: all)
	seen      int            // records added
	computers map[string]int // index in out.Computers, by key
	compactAt int            // the number of installations that makes Add merge them
}

// NewValidator starts a validation that lists at most maxProblems problems
// (0: all), counting the others.
func NewValidator(maxProblems int) *Validator {
	return &Validator{max: maxProblems, computers: map[string]int{}, compactAt: minCompact}
}

// Add checks the next record.
func (v *Validator) Add(r RawRecord) {
	i := v.seen
	v.seen++
	rec, ok := check(r, func(field, typ string, params map[string]any) {
		v.out.ProblemCount++
		if v.max <= 0 || len(v.out.Problems) < v.max {
			v.out.Problems = append(v.out.Problems, Problem{Index: i, Field: field, Type: typ, Params: params})
		}
	})
	if !ok {
		v.out.Rejected++
		return
	}
	key := ComputerKey(rec.computer)
	c, known := v.computers[key]
	if !known {
		c = len(v.out.Computers)
		v.computers[key] = c
		v.out.Computers = append(v.out.Computers, Computer{Name: ComputerName{display: rec.computer, key: key}})
	}
	if rec.ip.IsValid() {
		v.out.Computers[c].IP = rec.ip
	}
	v.out.installs = append(v.out.installs, pushed{computer: int32(c), seq: int32(v.out.Accepted), program: rec.program, version: rec.version})
	v.out.Accepted++
	if len(v.out.installs) >= v.compactAt {
		// Agents repeat themselves: merging now and then keeps a push of
		// many records for few installations to the size of the latter.
		v.out.installs = merge(v.out.installs)
		v.compactAt = max(2*len(v.out.installs), minCompact)
	}
}

// minCompact is the fewest records the validator holds before it merges
// those naming one installation.
const minCompact = 1 << 16

// NoteIncomplete takes every record again, in the same order, once all were
// added: a rejected one naming a pushed computer makes it incomplete. Call
// it when the push's full mode needs to know (Validation.Incomplete).
func (v *Validator) NoteIncomplete(r RawRecord) {
	rec, ok := check(r, func(string, string, map[string]any) {})
	if ok || rec.computer == "" {
		return
	}
	key := ComputerKey(rec.computer)
	if _, pushed := v.computers[key]; pushed {
		if v.out.Incomplete == nil {
			v.out.Incomplete = map[string]bool{}
		}
		v.out.Incomplete[key] = true
	}
}

// Rejected counts the records rejected so far.
func (v *Validator) Rejected() int { return v.out.Rejected }

// Validation is the outcome of the records added. It sorts and merges them
// in place: call it once, after the last Add.
func (v *Validator) Validation() Validation {
	out := v.out
	// Computers by key; installations by computer, program key, then in
	// the order they came, so that each run of one installation starts
	// with its first spelling and ends with its last version.
	order := make([]int, len(out.Computers))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(out.Computers[a].Name.Key(), out.Computers[b].Name.Key()) })
	rank := make([]int32, len(order))
	for place, c := range order {
		rank[c] = int32(place)
	}
	sorted := make([]Computer, len(order))
	for place, c := range order {
		sorted[place] = out.Computers[c]
	}
	out.Computers = sorted
	for i := range out.installs {
		out.installs[i].computer = rank[out.installs[i].computer]
	}
	out.installs = merge(out.installs)
	return out
}

// merge sorts installations by computer, program key, then in the order
// they came, and keeps one of each: the first spelling of its program, the
// last version given. It works in place.
func merge(installs []pushed) []pushed {
	slices.SortFunc(installs, func(a, b pushed) int {
		return cmp.Or(cmp.Compare(a.computer, b.computer), compareFolded(a.program, b.program), cmp.Compare(a.seq, b.seq))
	})
	merged := installs[:0]
	for i, p := range installs {
		if i > 0 && p.computer == installs[i-1].computer && compareFolded(p.program, installs[i-1].program) == 0 {
			merged[len(merged)-1].version = p.version
			continue
		}
		merged = append(merged, p)
	}
	clear(installs[len(merged):])
	return merged
}

// compareFolded orders texts as their ProgramKeys (lower-cased) compare,
// without making them.
func compareFolded(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if c := cmp.Compare(unicode.ToLower(ra), unicode.ToLower(rb)); c != 0 {
			return c
		}
		a, b = a[na:], b[nb:]
	}
	return cmp.Compare(len(a), len(b))
}

// checked is a record that passed check, its texts trimmed.
type checked struct {
	computer, program, version string
	ip                         netip.Addr
}

// check validates one record, handing each problem to add; ok is false
// when there was one. A rejected record's computer is set when its
// computer_name passes its own checks.
func check(r RawRecord, add func(field, typ string, params map[string]any)) (rec checked, ok bool) {
	if r.NotObject {
		add("", ProblemNotObject, nil)
		return checked{}, false
	}
	problems := 0
	count := func(field, typ string, params map[string]any) {
		problems++
		add(field, typ, params)
	}
	rec.computer = requiredText(count, "computer_name", r.ComputerName, MaxComputerNameLen)
	rec.program = requiredText(count, "program", r.Program, MaxProgramLen)
	rec.version = requiredText(count, "version", r.Version, MaxVersionLen)
	rec.ip = ipAddress(count, r.IPAddress)
	return rec, problems == 0
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
