package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parc-hq/parc/app"
	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/inventory"
)

// The /client-data area answers in the shape its seed fixes:
// {"status", "message"} plus "errors" when records were rejected.

type clientDataAnswer struct {
	Status  string           `json:"status"`
	Message string           `json:"message"`
	Errors  []recordErrorDTO `json:"errors,omitempty"`
}

type recordErrorDTO struct {
	Index   int    `json:"index"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// writeInventoryError renders a Problem in the seed's shape. Statuses are
// Classify's (a database that does not answer is 503, as in every area);
// server faults say no more than that, and that a push can be sent again.
func writeInventoryError(c *gin.Context, err error) {
	p := classifyRequest(c, err)
	noteProblem(c, p)
	status, msg := p.Status, p.Message
	if status >= 500 {
		if status != http.StatusServiceUnavailable {
			msg = "internal server error"
		}
		if c.Request.Method == http.MethodPost {
			msg += ": nothing of the request was stored, it can be sent again"
		}
	}
	if len(p.Details) > 0 {
		msg = "invalid request: " + problemsText(p.Details, inventoryWords)
	}
	c.AbortWithStatusJSON(status, clientDataAnswer{Status: "error", Message: msg})
}

// wireRecord is one pushed record. Values stay untyped so that a wrong type
// rejects that record only; field names match case-insensitively.
type wireRecord struct {
	inventory.RawRecord
}

func (w *wireRecord) UnmarshalJSON(b []byte) error {
	if len(b) == 0 || b[0] != '{' {
		w.NotObject = true
		return nil
	}
	var in struct {
		ComputerName any `json:"computer_name"`
		IPAddress    any `json:"ip_address"`
		Program      any `json:"program"`
		Version      any `json:"version"`
	}
	// Numbers stay json.Number: one that no float64 holds (1e999) is then
	// a wrong type of this record, not a failure of the whole request.
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil {
		return err
	}
	w.RawRecord = inventory.RawRecord{ComputerName: in.ComputerName, IPAddress: in.IPAddress, Program: in.Program, Version: in.Version}
	return nil
}

// errNotArray is valid JSON that is not an array: a 400 without a position.
var errNotArray = &MalformedJSONError{Reason: "the body must be a JSON array of records"}

// decodePush reads the body as an array of records: not JSON, or not an
// array, is a *MalformedJSONError (400).
func decodePush(c *gin.Context) ([]inventory.RawRecord, error) {
	body, err := readRawBody(c)
	if err != nil {
		return nil, err
	}
	records, err := decodePushBody(body)
	if err != nil {
		return nil, err
	}
	markInvalidText(textRuleOf(c), body, records)
	return records, nil
}

// notUTF8 stands for a pushed text that was not valid UTF-8 (or held a lone
// surrogate escape): the decoder would have replaced its bytes with U+FFFD,
// while the record validation rejects it, as it rejects a NUL.
const notUTF8 = "\xff"

// markInvalidText applies the text rule to a push record by record: a
// field that breaks it rejects its record, not the request, as a wrong type
// does. Fields a record does not use are ignored, as they are when valid.
func markInvalidText(rule textRule, body []byte, records []inventory.RawRecord) {
	rule.maxText = 0 // lengths are the record validation's
	rule.visitJSON(body, func(p domain.FieldError) {
		if p.Rule() != ruleTextUTF8 || len(p.Path) != 2 {
			return
		}
		i, ok := p.Path[0].(int)
		field, _ := p.Path[1].(string)
		if !ok || i >= len(records) {
			return
		}
		r := &records[i]
		for name, dst := range map[string]*any{"computer_name": &r.ComputerName, "ip_address": &r.IPAddress, "program": &r.Program, "version": &r.Version} {
			if strings.EqualFold(field, name) {
				*dst = notUTF8
			}
		}
	})
}

// decodePushBody decodes a push read whole.
func decodePushBody(body []byte) ([]inventory.RawRecord, error) {
	if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && trimmed[0] != '[' && json.Valid(trimmed) {
		return nil, errNotArray
	}
	if typed, ok := decodeTypedPush(body); ok {
		return typed, nil
	}
	var wire []wireRecord
	if err := UnmarshalJSON(body, &wire); err != nil {
		return nil, err
	}
	out := make([]inventory.RawRecord, len(wire))
	for i, w := range wire {
		out[i] = w.RawRecord
	}
	return out, nil
}

// decodeTypedPush is the fast path for the usual body, an array of objects
// whose fields are strings or null: about twice as fast as decoding every
// value untyped. Anything else (a wrong type, malformed JSON) falls back to
// the untyped path, which reports it.
func decodeTypedPush(body []byte) ([]inventory.RawRecord, bool) {
	var typed []*struct {
		ComputerName *string `json:"computer_name"`
		IPAddress    *string `json:"ip_address"`
		Program      *string `json:"program"`
		Version      *string `json:"version"`
	}
	if err := json.Unmarshal(body, &typed); err != nil || typed == nil {
		return nil, false
	}
	out := make([]inventory.RawRecord, len(typed))
	for i, t := range typed {
		if t == nil {
			out[i] = inventory.RawRecord{NotObject: true}
			continue
		}
		out[i] = inventory.RawRecord{ComputerName: orNil(t.ComputerName), IPAddress: orNil(t.IPAddress), Program: orNil(t.Program), Version: orNil(t.Version)}
	}
	return out, true
}

// orNil keeps an absent value untyped nil, as the untyped path decodes it.
func orNil(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// pushAnswer renders a push's result, listing at most maxProblems
// problems (all when 0): the message then says how many there were.
func pushAnswer(res app.PushResult, maxProblems int) (int, clientDataAnswer) {
	out := clientDataAnswer{Status: "success", Message: fmt.Sprintf("%d records updated successfully", res.Accepted)}
	listed := res.Problems
	if maxProblems > 0 && len(listed) > maxProblems {
		listed = listed[:maxProblems]
	}
	for _, p := range listed {
		out.Errors = append(out.Errors, recordErrorDTO{Index: p.Index, Field: p.Field, Message: recordWords(p)})
	}
	more := ""
	if len(listed) < len(res.Problems) {
		more = fmt.Sprintf("; %d problems in all, the first %d are listed", len(res.Problems), len(listed))
	}
	switch {
	case res.Rejected == 0:
		return http.StatusOK, out
	case res.Accepted == 0:
		out.Status, out.Message = "error", fmt.Sprintf("all %d records were rejected", res.Rejected)+more
		return http.StatusUnprocessableEntity, out
	}
	out.Status, out.Message = "partial_success", fmt.Sprintf("%d records updated successfully, %d rejected", res.Accepted, res.Rejected)
	if res.Untrimmed > 0 {
		noun := "computers"
		if res.Untrimmed == 1 {
			noun = "computer"
		}
		out.Message += fmt.Sprintf("; full mode: nothing removed from %d %s named by a rejected record", res.Untrimmed, noun)
	}
	out.Message += more
	return http.StatusOK, out
}

type installationDTO struct {
	ComputerName string  `json:"computer_name"`
	IPAddress    *string `json:"ip_address"`
	LastSeen     *string `json:"last_seen"`
	Program      string  `json:"program"`
	Version      string  `json:"version"`
	Removed      bool    `json:"removed"`
	InstalledAt  string  `json:"installed_at"`
	ChangedAt    string  `json:"changed_at"`
}

func toInstallationDTO(v inventory.InstallationView) installationDTO {
	return installationDTO{ComputerName: v.ComputerName, IPAddress: knownIPJSON(v.IPAddress), LastSeen: knownTimeJSON(v.LastSeen),
		Program: v.Program.Display(), Version: v.Version, Removed: v.Removed,
		InstalledAt: timeJSON(v.InstalledAt), ChangedAt: timeJSON(v.ChangedAt)}
}

type programDTO struct {
	Program   string       `json:"program"`
	Computers int          `json:"computers"`
	Versions  []versionDTO `json:"versions"`
}

type versionDTO struct {
	Version   string `json:"version"`
	Computers int    `json:"computers"`
}

type eventDTO struct {
	Program     string  `json:"program"`
	Event       string  `json:"event"`
	FromVersion *string `json:"from_version"`
	ToVersion   *string `json:"to_version"`
	At          string  `json:"at"`
}

// searchableQuery records a problem in v when a text query parameter holds
// what no stored name or version can (invalid UTF-8, control characters).
func searchableQuery(c *gin.Context, v *domain.ValidationError, names ...string) {
	for _, name := range names {
		if !inventory.SearchableText(c.Query(name)) {
			v.Add("string_type", nil, name)
		}
	}
}

// historyComputerName reads the computer name of
// <prefix>{computer_name}/history from an escaped path: one segment, an
// escaped "/" included.
func historyComputerName(escaped, prefix string) (string, bool) {
	segment, ok := strings.CutPrefix(escaped, prefix)
	if !ok {
		return "", false
	}
	segment, ok = strings.CutSuffix(segment, "/history")
	if !ok || segment == "" || strings.Contains(segment, "/") {
		return "", false
	}
	name, err := url.PathUnescape(segment)
	return name, err == nil
}

func registerInventoryRoutes(g *gin.RouterGroup, svc *app.InventoryService) {
	h := inventoryHandlers{svc: svc, computers: g.BasePath() + "/computers/"}
	g.POST("", h.push)
	g.GET("", h.installations)
	g.GET("/programs", h.programs)
	// A catch-all rather than :computer_name: gin routes on the unescaped
	// path, where a computer named "PC/7" (PC%2F7) would be two segments.
	// The name is read from the escaped path instead, for this route only.
	g.GET("/computers/*path", h.history)
}

// inventoryHandlers serve /client-data.
type inventoryHandlers struct {
	svc       *app.InventoryService
	computers string // the path prefix of the history route
}

// push serves POST /client-data.
func (h inventoryHandlers) push(c *gin.Context) {
	full := false
	switch c.Query("mode") {
	case "":
	case "full":
		full = true
	default:
		writeInventoryError(c, domain.Invalid("enum", domain.Params{domain.RuleParam: "or_absent", "expected": []string{"full"}}, "mode"))
		return
	}
	raw, err := decodePush(c)
	if err != nil {
		writeInventoryError(c, err)
		return
	}
	res, err := h.svc.Push(c.Request.Context(), mustCompany(c).ID(), raw, full)
	if err != nil {
		writeInventoryError(c, err)
		return
	}
	c.JSON(pushAnswer(res, textRuleOf(c).maxProblems))
}

// installations serves GET /client-data.
func (h inventoryHandlers) installations(c *gin.Context) {
	v := &domain.ValidationError{}
	searchableQuery(c, v, "computer_name", "program", "version")
	f := inventory.Filter{
		ComputerKey: inventory.ComputerKey(c.Query("computer_name")),
		ProgramKey:  inventory.ProgramKey(c.Query("program")),
		Version:     strings.TrimSpace(c.Query("version")),
		Cursor:      c.Query("cursor"),
		Limit:       queryLimit(c, v, inventory.PageSize),
	}
	if s := c.Query("changed_since"); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			v.Add("datetime_parsing", nil, "changed_since")
		}
		f.ChangedSince = t
	}
	if s := c.Query("include_removed"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			v.Add("bool_parsing", nil, "include_removed")
		}
		f.IncludeRemoved = b
	}
	if err := v.OrNil(); err != nil {
		writeInventoryError(c, err)
		return
	}
	page, err := h.svc.Installations(c.Request.Context(), mustCompany(c).ID(), f)
	if err != nil {
		writeInventoryError(c, err)
		return
	}
	items := make([]installationDTO, len(page.Items))
	for i, it := range page.Items {
		items[i] = toInstallationDTO(it)
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "next_cursor": optional(page.NextCursor)})
}

// programs serves GET /client-data/programs.
func (h inventoryHandlers) programs(c *gin.Context) {
	v := &domain.ValidationError{}
	if searchableQuery(c, v, "program"); v.OrNil() != nil {
		writeInventoryError(c, v)
		return
	}
	list, err := h.svc.Programs(c.Request.Context(), mustCompany(c).ID(), c.Query("program"))
	if err != nil {
		writeInventoryError(c, err)
		return
	}
	out := make([]programDTO, len(list))
	for i, p := range list {
		out[i] = programDTO{Program: p.Program, Computers: p.Computers, Versions: make([]versionDTO, len(p.Versions))}
		for j, ver := range p.Versions {
			out[i].Versions[j] = versionDTO{Version: ver.Version, Computers: ver.Computers}
		}
	}
	c.JSON(http.StatusOK, gin.H{"programs": out})
}

// history serves GET /client-data/computers/{computer_name}/history.
func (h inventoryHandlers) history(c *gin.Context) {
	name, ok := historyComputerName(c.Request.URL.EscapedPath(), h.computers)
	if !ok {
		writeInventoryError(c, domain.NotFound("%s", c.Request.URL.Path))
		return
	}
	v := &domain.ValidationError{}
	limit := queryLimit(c, v, inventory.PageSize)
	if err := v.OrNil(); err != nil {
		writeInventoryError(c, err)
		return
	}
	page, err := h.svc.History(c.Request.Context(), mustCompany(c).ID(), name, c.Query("cursor"), limit)
	if err != nil {
		writeInventoryError(c, err)
		return
	}
	events := make([]eventDTO, len(page.Events))
	for i, e := range page.Events {
		events[i] = eventDTO{Program: e.Program.Display(), Event: string(e.Kind), FromVersion: optional(e.FromVersion),
			ToVersion: optional(e.ToVersion), At: timeJSON(e.At)}
	}
	c.JSON(http.StatusOK, gin.H{"computer_name": page.ComputerName, "events": events, "next_cursor": optional(page.NextCursor)})
}
