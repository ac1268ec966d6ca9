package httpapi

import (
	"bytes"
	"context"
	"errors"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/parc-hq/parc/domain"
)

// The text rule, the same for every area and every backend: text a client
// sends (path segments, query values, JSON keys and strings at any depth) is
// valid UTF-8 without NUL, a JSON number fits a float64, and one string is
// at most a given size. Each backend fails differently on such values (a 500
// on PostgreSQL, bytes stored as they came on SQLite, a dropped connection
// on MariaDB past its packet size), so they are refused here, before any of
// them sees the value, naming where the value was.

// Problem types of the text rule, pydantic's where it has one, and the
// rules of the string_unicode problems (worded in wording.go).
const (
	problemUnicode  = "string_unicode"
	problemNumber   = "finite_number"
	problemTooLong  = "string_too_long"
	ruleTextUTF8    = "text_utf8" // a text that is not UTF-8 (or holds a lone surrogate escape)
	ruleTextNUL     = "text_nul"  // a text with a NUL character
	ruleKeyUTF8     = "key_utf8"  // the same in a JSON key
	ruleKeyNUL      = "key_nul"
	maxScanDepth    = 10000 // encoding/json's own nesting limit
	DefaultMaxValue = 1 << 20
	DefaultMaxIssue = 1000
)

// textRule is the configuration of the rule.
type textRule struct {
	maxText     int // bytes of one JSON string (escapes decoded), of one data-set row
	maxProblems int // problems listed in one answer
}

// validText is the rule s breaks, ruleTextUTF8 or ruleTextNUL ("" when
// it breaks none).
func validText(s string) string {
	switch {
	case !utf8.ValidString(s):
		return ruleTextUTF8
	case strings.IndexByte(s, 0) >= 0:
		return ruleTextNUL
	}
	return ""
}

// keyRule is the rule of a JSON key that breaks the text rule's rule.
func keyRule(rule string) string {
	if rule == ruleTextNUL {
		return ruleKeyNUL
	}
	return ruleKeyUTF8
}

// textProblem is a text that breaks the rule.
func textProblem(rule string) domain.Params { return domain.Params{domain.RuleParam: rule} }

// tooLarge is the problem of a value past maxText bytes: of rule
// "string_bytes" (one JSON string) or "row_bytes" (a data-set row).
func (r textRule) tooLarge(rule string) (string, domain.Params) {
	return problemTooLong, domain.Params{domain.RuleParam: rule, "max_bytes": r.maxText}
}

// params checks the path parameters and the query string of a request;
// problems are located as FastAPI does, under "path" or "query".
func (r textRule) params(c *gin.Context) error {
	v := &domain.ValidationError{}
	for _, p := range c.Params {
		if rule := validText(p.Value); rule != "" {
			v.Add(problemUnicode, textProblem(rule), "path", strings.TrimPrefix(p.Key, "*"))
		}
	}
	query, err := url.ParseQuery(c.Request.URL.RawQuery)
	if err != nil {
		var escape url.EscapeError
		if errors.As(err, &escape) {
			v.Add(problemUnicode, textProblem("query_escape"), "query")
		}
	}
	for key, values := range query {
		if rule := validText(key); rule != "" {
			v.Add(problemUnicode, textProblem(rule), "query", strconv.QuoteToASCII(clip(key)))
			continue
		}
		for _, value := range values {
			if rule := validText(value); rule != "" {
				v.Add(problemUnicode, textProblem(rule), "query", key)
				break
			}
		}
	}
	return r.bounded(v).OrNil()
}

const ctxTextRule = "parc.text_rule"

// middleware refuses a request whose path or query breaks the rule, in the
// area's shape, and leaves the rule to the body decoders (readBody).
func (r textRule) middleware(onError errorWriter) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Set(ctxTextRule, r)
		if err := r.params(c); err != nil {
			onError(c, err)
			c.Abort()
			return
		}
		c.Next()
	}
}

// bounded keeps at most maxProblems problems of v, then one saying how
// many there were in all: an answer must not grow with a hostile body.
func (r textRule) bounded(v *domain.ValidationError) *domain.ValidationError {
	if v == nil {
		return nil
	}
	return BoundProblems(v, len(v.Problems), r.maxProblems)
}

// BoundProblems cuts v to at most n problems (n > 0) and, when total
// (the problems found, listed or not) is more, adds one saying so.
func BoundProblems(v *domain.ValidationError, total, n int) *domain.ValidationError {
	return domain.BoundProblems(v, total, n)
}

// textRuleOf is the rule of the request's route, or the defaults.
func textRuleOf(c *gin.Context) textRule {
	if r, ok := c.Get(ctxTextRule); ok {
		return r.(textRule)
	}
	return textRule{maxText: DefaultMaxValue, maxProblems: DefaultMaxIssue}
}

// scanJSON checks every key, string and number of a JSON document against
// the rule, without decoding it. It stops quietly at a syntax error: the
// decoder that runs next reports that with its position.
func (r textRule) scanJSON(body []byte) error {
	s := jsonScan{src: body, rule: r, problems: &domain.ValidationError{}}
	s.run()
	return BoundProblems(s.problems, s.count, r.maxProblems).OrNil()
}

// jsonScan walks a JSON document iteratively (a hostile body may nest deep)
// keeping the path to the current value.
type jsonScan struct {
	src      []byte
	pos      int
	rule     textRule
	stack    []scanFrame
	problems *domain.ValidationError
	count    int // problems found, listed or not
}

type scanFrame struct {
	object bool
	key    []byte // current member's key (object), as sent
	index  int    // current element's index (array)
}

func (s *jsonScan) path() []any {
	out := make([]any, 0, len(s.stack))
	for _, f := range s.stack {
		if f.object {
			out = append(out, string(f.key))
		} else {
			out = append(out, f.index)
		}
	}
	if len(out) == 0 {
		return []any{"body"}
	}
	return out
}

func (s *jsonScan) problem(typ string, params domain.Params, path []any) {
	s.count++
	if s.rule.maxProblems > 0 && len(s.problems.Problems) >= s.rule.maxProblems {
		return // enough to list; bounded() still says how many
	}
	s.problems.Add(typ, params, path...)
}

func (s *jsonScan) skipSpace() {
	for s.pos < len(s.src) {
		switch s.src[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// run scans the document: after each scalar or closed container comes a
// comma, a closing bracket or the end; after an opened container, a comma
// or a key, comes a value.
func (s *jsonScan) run() {
	want := true // a value comes next
	for {
		s.skipSpace()
		if s.pos >= len(s.src) {
			return
		}
		var ok bool
		if want {
			want, ok = s.value()
		} else {
			want, ok = s.afterValue()
		}
		if !ok {
			return
		}
	}
}

// value scans one value at pos. A container is entered: then a value of
// it comes next (more), unless it is empty. ok is false when the document
// is broken or too deep.
func (s *jsonScan) value() (more, ok bool) {
	switch c := s.src[s.pos]; {
	case c == '{' || c == '[':
		s.pos++
		return s.open(c == '{')
	case c == '"':
		text, ok := s.str()
		if ok {
			s.checkString(text)
		}
		return false, ok
	case c == '-' || (c >= '0' && c <= '9'):
		s.number()
		return false, true
	}
	for _, lit := range []string{"true", "false", "null"} {
		if strings.HasPrefix(string(s.src[s.pos:min(len(s.src), s.pos+5)]), lit) {
			s.pos += len(lit)
			return false, true
		}
	}
	return false, false
}

// open enters a container, or leaves it at once when it is empty.
func (s *jsonScan) open(object bool) (more, ok bool) {
	if len(s.stack) >= maxScanDepth {
		return false, false
	}
	s.skipSpace()
	if s.pos < len(s.src) && (s.src[s.pos] == '}' && object || s.src[s.pos] == ']' && !object) {
		s.pos++
		return false, true
	}
	s.stack = append(s.stack, scanFrame{object: object})
	if object {
		return true, s.key()
	}
	return true, true
}

// key scans a member's key and its colon.
func (s *jsonScan) key() bool {
	s.skipSpace()
	if s.pos >= len(s.src) || s.src[s.pos] != '"' {
		return false
	}
	k, ok := s.str()
	if !ok {
		return false
	}
	top := &s.stack[len(s.stack)-1]
	top.key = k
	if rule := validBytes(k); rule != "" {
		top.key = []byte(strconv.QuoteToASCII(clip(string(k))))
		s.problem(problemUnicode, textProblem(keyRule(rule)), s.path())
	}
	s.skipSpace()
	if s.pos >= len(s.src) || s.src[s.pos] != ':' {
		return false
	}
	s.pos++
	return true
}

// afterValue reads what follows a value: a comma (a value comes next) or a
// closing bracket. ok is false at the end of the top-level value: anything
// after it is the decoder's to refuse.
func (s *jsonScan) afterValue() (more, ok bool) {
	if len(s.stack) == 0 {
		return false, false
	}
	top := &s.stack[len(s.stack)-1]
	switch c := s.src[s.pos]; {
	case c == ',':
		s.pos++
		if top.object {
			return true, s.key()
		}
		top.index++
		return true, true
	case c == '}' && top.object, c == ']' && !top.object:
		s.pos++
		s.stack = s.stack[:len(s.stack)-1]
		return false, true
	}
	return false, false
}

// str scans a string at pos and returns its text, escapes decoded, with
// invalid UTF-8 kept as it came and a lone surrogate as an invalid byte, so
// that checkString sees them.
func (s *jsonScan) str() ([]byte, bool) {
	s.pos++ // opening quote
	start := s.pos
	plain := true
	for s.pos < len(s.src) {
		switch c := s.src[s.pos]; {
		case c == '"':
			raw := s.src[start:s.pos]
			s.pos++
			if plain {
				return raw, true
			}
			return unescapeJSON(raw)
		case c == '\\':
			plain = false
			s.pos += 2
		case c < 0x20:
			return nil, false
		default:
			s.pos++
		}
	}
	return nil, false
}

// unescapeJSON decodes the escapes of a JSON string's content. A \u escape
// of a lone surrogate becomes the byte 0xFF, which no UTF-8 text holds.
func unescapeJSON(raw []byte) ([]byte, bool) {
	b := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' {
			b = append(b, c)
			continue
		}
		if i+1 >= len(raw) {
			return nil, false
		}
		i++
		switch raw[i] {
		case '"', '\\', '/':
			b = append(b, raw[i])
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, n, ok := unicodeEscape(raw[i-1:])
			if !ok {
				return nil, false
			}
			i += n - 2
			if r < 0 {
				b = append(b, 0xFF)
			} else {
				b = utf8.AppendRune(b, r)
			}
		default:
			return nil, false
		}
	}
	return b, true
}

// unicodeEscape reads \uXXXX (and a following low surrogate) at the start
// of raw: the rune, the bytes used, and -1 for a lone surrogate.
func unicodeEscape(raw []byte) (rune, int, bool) {
	hex := func(b []byte) (rune, bool) {
		if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
			return 0, false
		}
		n, err := strconv.ParseUint(string(b[2:6]), 16, 32)
		return rune(n), err == nil
	}
	r, ok := hex(raw)
	if !ok {
		return 0, 0, false
	}
	if !utf16.IsSurrogate(r) {
		return r, 6, true
	}
	if r < 0xDC00 {
		if low, ok := hex(raw[6:]); ok {
			if dec := utf16.DecodeRune(r, low); dec != utf8.RuneError {
				return dec, 12, true
			}
		}
	}
	return -1, 6, true
}

func (s *jsonScan) checkString(text []byte) {
	if rule := validBytes(text); rule != "" {
		s.problem(problemUnicode, textProblem(rule), s.path())
	}
	if s.rule.maxText > 0 && len(text) > s.rule.maxText {
		typ, params := s.rule.tooLarge("string_bytes")
		s.problem(typ, params, s.path())
	}
}

// validBytes is validText on bytes, without copying them.
func validBytes(b []byte) string {
	switch {
	case !utf8.Valid(b):
		return ruleTextUTF8
	case bytes.IndexByte(b, 0) >= 0:
		return ruleTextNUL
	}
	return ""
}

// number scans a number and refuses one beyond float64 (1e999999): no
// backend stores it alike.
func (s *jsonScan) number() {
	start := s.pos
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		if (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
			s.pos++
			continue
		}
		break
	}
	lit := string(s.src[start:s.pos])
	if f, err := strconv.ParseFloat(lit, 64); errors.Is(err, strconv.ErrRange) && math.IsInf(f, 0) {
		s.problem(problemNumber, nil, s.path())
	}
}

// classifyRequest is Classify in the light of the request: a failure
// after the request's time budget ran out is that (503), whatever the
// driver made of the cancellation (SQLite says "interrupted"); after the
// client hung up it is 499; and the problems listed are bounded.
func classifyRequest(c *gin.Context, err error) Problem {
	p := Classify(err)
	if p.Status == http.StatusInternalServerError {
		switch c.Request.Context().Err() {
		case context.DeadlineExceeded:
			p = Problem{Status: http.StatusServiceUnavailable, Code: "timeout", Cause: err,
				Message: "the request took longer than its time budget, try again later"}
		case context.Canceled:
			p = Problem{Status: StatusClientClosed, Code: "client_closed", Message: "the client closed the request", Cause: err}
		}
	}
	return boundDetails(c, p)
}

// boundDetails keeps an error answer's list of problems within the
// configured count, saying how many there were in all.
func boundDetails(c *gin.Context, p Problem) Problem {
	n := textRuleOf(c).maxProblems
	if n <= 0 || len(p.Details) <= n {
		return p
	}
	v := BoundProblems(&domain.ValidationError{Problems: p.Details}, len(p.Details), n)
	p.Details = v.Problems
	return p
}
