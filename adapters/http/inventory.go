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
	"unicode/utf8"
	"unsafe"

	"github.com/gin-gonic/gin"

	"github.com/parc-hq/parc/app"
	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/inventory"
	"github.com/parc-hq/parc/internal/jsonview"
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

// errNotArray is valid JSON that is not an array: a 400 without a position.
var errNotArray = &MalformedJSONError{Reason: "the body must be a JSON array of records"}

// decodePush reads the body as an array of records and checks each as it
// is read (inventory.Validator), keeping of the valid ones only what the
// push writes: the body is held once, never a decoded copy of every record.
// Not JSON, or not an array, is a *MalformedJSONError (400). In full mode,
// records are read a second time when some were rejected, to learn which
// pushed computers they name.
func decodePush(c *gin.Context, full bool) (inventory.Validation, error) {
	body, err := readRawBody(c)
	if err != nil {
		return inventory.Validation{}, err
	}
	if !json.Valid(body) {
		return inventory.Validation{}, UnmarshalJSON(body, new(json.RawMessage))
	}
	if bytes.TrimSpace(body)[0] != '[' {
		return inventory.Validation{}, errNotArray
	}
	v := inventory.NewValidator(textRuleOf(c).maxProblems)
	jsonview.EachElement(body, func(item []byte) { v.Add(pushRecord(item)) })
	if full && v.Rejected() > 0 {
		jsonview.EachElement(body, func(item []byte) { v.NoteIncomplete(pushRecord(item)) })
	}
	return v.Validation(), nil
}

// notUTF8 stands for a pushed text that was not valid UTF-8 (or held a lone
// surrogate escape): the record validation rejects it, as it rejects a NUL.
const notUTF8 = "\xff"

// notText stands for a pushed value that is neither a string nor null: a
// wrong type of its record, not a failure of the whole request.
type notText struct{}

// pushRecord reads one element of a push (valid JSON). Values stay untyped
// so that a wrong type rejects that record only; field names match without
// regard to case, the last of a name given twice winning, as encoding/json
// decodes a struct.
func pushRecord(item []byte) inventory.RawRecord {
	if len(item) == 0 || item[0] != '{' {
		return inventory.RawRecord{NotObject: true}
	}
	var r inventory.RawRecord
	jsonview.EachMember(item, func(key string, value []byte, _ int) {
		switch {
		case strings.EqualFold(key, "computer_name"):
			r.ComputerName = pushValue(value)
		case strings.EqualFold(key, "ip_address"):
			r.IPAddress = pushValue(value)
		case strings.EqualFold(key, "program"):
			r.Program = pushValue(value)
		case strings.EqualFold(key, "version"):
			r.Version = pushValue(value)
		}
	})
	return r
}

// pushValue is a value of a record: its text, nil for null, notUTF8 for a
// text the text rule refuses, notText{} for anything else.
func pushValue(raw []byte) any {
	switch {
	case len(raw) == 0 || raw[0] == 'n':
		return nil
	case raw[0] != '"' || len(raw) < 2:
		return notText{}
	}
	text := raw[1 : len(raw)-1]
	if bytes.IndexByte(text, '\\') >= 0 {
		var ok bool
		if text, ok = unescapeJSON(text); !ok {
			return notText{}
		}
	}
	if !utf8.Valid(text) {
		return notUTF8
	}
	return inPlace(text)
}

// inPlace is b as a string without copying it: the texts of a push stay in
// its body, which is read once and never written afterwards (nor is the
// buffer of an unescaped text), so the string cannot change; and it keeps
// the body alive as long as it is used, as a sub-slice would. A push's
// valid records are held until it is written: copied, their texts would
// take again a good part of the body.
func inPlace(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// pushAnswer renders a push's result, listing at most maxProblems
// problems (all when 0): the message then says how many there were.
func pushAnswer(res app.PushResult, maxProblems int) (int, clientDataAnswer) {
	out := clientDataAnswer{Status: "success", Message: fmt.Sprintf("%d records updated successfully", res.Accepted)}
	listed := res.Problems
	if maxProblems > 0 && len(listed) > maxProblems {
		listed = listed[:maxProblems]
	}
	total := max(res.ProblemCount, len(res.Problems))
	for _, p := range listed {
		out.Errors = append(out.Errors, recordErrorDTO{Index: p.Index, Field: p.Field, Message: recordWords(p)})
	}
	more := ""
	if len(listed) < total {
		more = fmt.Sprintf("; %d problems in all, the first %d are listed", total, len(listed))
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
	pushed, err := decodePush(c, full)
	if err != nil {
		writeInventoryError(c, err)
		return
	}
	res, err := h.svc.PushValidated(c.Request.Context(), mustCompany(c).ID(), pushed, full)
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
