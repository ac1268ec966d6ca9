package httpapi

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/parc-hq/parc/app"
	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/dataset"
	"github.com/parc-hq/parc/internal/jsonview"
)

// The data API of projects: /v1/Data/{codeProjet}/... . The operations
// RelationalDataSet, Select and SrvExport sit where an entity name would, so
// POST /{entity} dispatches them (names matched without regard to case, as
// entity names are).

func registerDataSetRoutes(api *gin.RouterGroup, svc *app.DataSetService) {
	h := dataSetHandlers{svc: svc}
	g := api.Group("/v1/Data/:codeProjet")
	g.POST("/:entity", h.post)
	g.GET("/:entity", h.list)
	g.GET("/:entity/:rowCode", h.get)
	g.PUT("/:entity/:rowCode", h.update)
	g.DELETE("/:entity/:rowCode", h.delete)
}

type dataSetHandlers struct{ svc *app.DataSetService }

func (h dataSetHandlers) post(c *gin.Context) {
	switch name := c.Param("entity"); {
	case strings.EqualFold(name, "RelationalDataSet"):
		h.batch(c)
	case strings.EqualFold(name, "Select"):
		h.selectRows(c)
	case strings.EqualFold(name, "SrvExport"):
		h.export(c)
	default:
		h.create(c)
	}
}

// caller is who asks, for which project, acting for companyCode (from the
// body where the operation has one, else from the query string).
func caller(c *gin.Context, companyCode string) app.DataCaller {
	if companyCode == "" {
		companyCode = c.Query("companyCode")
	}
	return app.DataCaller{Project: c.Param("codeProjet"), Company: mustCompany(c), CompanyCode: companyCode}
}

func (h dataSetHandlers) list(c *gin.Context) {
	v := &domain.ValidationError{}
	in := dataset.SelectInput{EntityName: c.Param("entity"), Limit: queryInt(c, v, "limit"), Offset: queryInt(c, v, "offset"),
		SrvExport: queryInt(c, v, "srvExport"), SrvAttrib: queryInt(c, v, "srvAttrib")}
	if err := v.OrNil(); err != nil {
		writeError(c, err)
		return
	}
	if in.SrvAttrib == nil {
		live := dataset.Live
		in.SrvAttrib = &live
	}
	page, err := h.svc.Select(c.Request.Context(), caller(c, ""), in)
	if err != nil {
		writeError(c, err)
		return
	}
	writeRows(c, page)
}

// selectBody is a Select request; encoding/json matches its keys without
// regard to case.
type selectBody struct {
	EntityName   string `json:"entityName"`
	CompanyCode  string `json:"companyCode"`
	Limit        *int   `json:"limit"`
	Offset       *int   `json:"offset"`
	SrvExport    *int   `json:"srvExport"`
	SrvAttrib    *int   `json:"srvAttrib"`
	FilterFields []struct {
		FieldName    string          `json:"fieldName"`
		Operator     string          `json:"operator"`
		FilterValues json.RawMessage `json:"filterValues"`
	} `json:"filterFields"`
	SortFields []struct {
		FieldName string `json:"fieldName"`
		Direction string `json:"direction"`
	} `json:"sortFields"`
}

func (h dataSetHandlers) selectRows(c *gin.Context) {
	q, companyCode, err := decodeSelect(c)
	if err != nil {
		writeError(c, err)
		return
	}
	page, err := h.svc.Select(c.Request.Context(), caller(c, companyCode), q)
	if err != nil {
		writeError(c, err)
		return
	}
	writeRows(c, page)
}

// decodeSelect reads a Select request and its companyCode.
func decodeSelect(c *gin.Context) (dataset.SelectInput, string, error) {
	var in selectBody
	if err := DecodeJSON(c, &in); err != nil {
		return dataset.SelectInput{}, "", err
	}
	q := dataset.SelectInput{EntityName: in.EntityName, Limit: in.Limit, Offset: in.Offset, SrvExport: in.SrvExport, SrvAttrib: in.SrvAttrib}
	for i, f := range in.FilterFields {
		values, err := valueList(f.FilterValues)
		if err != nil {
			return q, "", domain.Invalid("type", domain.Params{domain.RuleParam: "value_or_array"}, "filterFields", i, "filterValues")
		}
		q.Filters = append(q.Filters, dataset.FilterInput{FieldName: f.FieldName, Operator: f.Operator, FilterValues: values})
	}
	for _, s := range in.SortFields {
		q.Sorts = append(q.Sorts, dataset.SortInput{FieldName: s.FieldName, Direction: s.Direction})
	}
	return q, in.CompanyCode, nil
}

// valueList reads filterValues: an array, or a single value taken as one.
func valueList(raw json.RawMessage) ([]json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] != '[' {
		return []json.RawMessage{raw}, nil
	}
	var list []json.RawMessage
	err := json.Unmarshal(raw, &list)
	return list, err
}

// decodeBatch reads a RelationalDataSet request (and its companyCode). The
// body is kept as it came: the batch's parts are spans of it, which the
// domain reads in place (dataset.ParseBatch checks their shape), so that a
// batch of a million rows is held once. Its keys are matched without
// regard to case.
func decodeBatch(c *gin.Context) (dataset.BatchInput, string, error) {
	body, err := readBody(c)
	if err != nil {
		return dataset.BatchInput{}, "", err
	}
	if len(body) > dataset.MaxDocSize {
		return dataset.BatchInput{}, "", &http.MaxBytesError{Limit: dataset.MaxDocSize}
	}
	if !json.Valid(body) {
		return dataset.BatchInput{}, "", batchShapeError(body)
	}
	rule := textRuleOf(c)
	d := batchDecoder{top: map[string]objectMember{}, problems: &domain.ValidationError{}, rule: rule,
		in: dataset.BatchInput{Doc: body, MaxProblems: rule.maxProblems}}
	isObject := jsonview.EachMember(body, func(key string, value []byte, start int) {
		if slices.ContainsFunc(batchMembers, func(name string) bool { return strings.EqualFold(key, name) }) {
			d.top[key] = objectMember{key: key, value: value, start: start} // the last of a key given twice, as encoding/json reads it
		}
	})
	if !isObject && string(bytes.TrimSpace(body)) != "null" { // null: as encoding/json reads it, nothing asked
		return dataset.BatchInput{}, "", batchShapeError(body)
	}
	d.keys = slices.Sorted(maps.Keys(d.top))
	if m, ok := d.member("data"); ok {
		d.in.Data = m.span()
		d.rowSizes(m)
	}
	if m, ok := d.member("deletes"); ok {
		d.in.Deletes = m.span()
	}
	if m, ok := d.member("relations"); ok {
		d.in.Relations = m.span()
	}
	if m, ok := d.member("srvExport"); ok && json.Unmarshal(m.value, &d.in.SrvExport) != nil {
		d.problems.Add("type", expectedKind("integer"), "srvExport")
	}
	var companyCode string
	if m, ok := d.member("companyCode"); ok && json.Unmarshal(m.value, &companyCode) != nil {
		d.problems.Add("type", expectedKind("string"), "companyCode")
	}
	return d.in, companyCode, BoundProblems(d.problems, len(d.problems.Problems)+d.dropped, rule.maxProblems).OrNil()
}

// batchMembers are the members of a RelationalDataSet body; others are
// ignored.
var batchMembers = []string{"data", "deletes", "relations", "srvExport", "companyCode"}

// batchDecoder reads the members of a RelationalDataSet body.
type batchDecoder struct {
	top      map[string]objectMember
	keys     []string // sorted: the same message every time
	problems *domain.ValidationError
	dropped  int // problems past the rule's maximum, counted only
	rule     textRule
	in       dataset.BatchInput
}

// member is the member of the key name, spelled in any case, when it is
// present and not null; two spellings of it are a problem.
func (d *batchDecoder) member(name string) (objectMember, bool) {
	var found objectMember
	var spelling string
	for _, k := range d.keys {
		if strings.EqualFold(k, name) {
			if spelling != "" {
				d.problems.Add("duplicate", domain.Params{domain.RuleParam: "same_key", "first": spelling, "second": k}, k)
				return objectMember{}, false
			}
			found, spelling = d.top[k], k
		}
	}
	return found, isPresent(found.value)
}

// rowSizes refuses the rows of data past the text rule's size.
func (d *batchDecoder) rowSizes(data objectMember) {
	if d.rule.maxText <= 0 {
		return
	}
	jsonview.EachMember(data.value, func(entity string, rows []byte, _ int) {
		i := 0
		jsonview.EachElement(rows, func(row []byte) {
			if len(row) > d.rule.maxText {
				typ, params := d.rule.tooLarge("row_bytes")
				d.problems.Add(typ, params, "data", entity, i)
				d.bound()
			}
			i++
		})
	})
}

// bound keeps at most the rule's number of problems, counting the others.
func (d *batchDecoder) bound() {
	if n := d.rule.maxProblems; n > 0 && len(d.problems.Problems) > n {
		d.dropped += len(d.problems.Problems) - n
		d.problems.Problems = d.problems.Problems[:n]
	}
}

// batchShapeError says why body is not a batch: not JSON (with the
// position), or JSON of another shape.
func batchShapeError(body []byte) error {
	var top map[string]json.RawMessage
	if err := UnmarshalJSON(body, &top); err != nil {
		return err
	}
	return domain.Invalid("type", domain.Params{domain.RuleParam: "not_object"}, "body")
}

func isPresent(raw json.RawMessage) bool {
	return len(raw) > 0 && string(bytes.TrimSpace(raw)) != "null"
}

type objectMember struct {
	key   string
	value json.RawMessage
	start int // the value's offset in the document read
}

// span is where the member's value is in the body it was read from.
func (m objectMember) span() dataset.Span { return dataset.SpanOf(m.start, m.start+len(m.value)) }

type entityResultDTO struct {
	EntityName string `json:"entityName"`
	Created    int    `json:"created"`
	Updated    int    `json:"updated"`
	Unchanged  int    `json:"unchanged"`
	Deleted    int    `json:"deleted"`
	Related    int    `json:"related"`
}

type batchResultDTO struct {
	Status      string            `json:"status"`
	CompanyCode string            `json:"companyCode"`
	Entities    []entityResultDTO `json:"entities"`
}

func (h dataSetHandlers) batch(c *gin.Context) {
	in, companyCode, err := decodeBatch(c)
	if err != nil {
		writeError(c, err)
		return
	}
	res, err := h.svc.ApplyBatch(c.Request.Context(), caller(c, companyCode), in)
	if err != nil {
		writeError(c, err)
		return
	}
	out := batchResultDTO{Status: "success", CompanyCode: res.Company.Code().String(), Entities: []entityResultDTO{}}
	for _, e := range res.Entities {
		out.Entities = append(out.Entities, entityResultDTO{EntityName: e.Entity, Created: e.Created, Updated: e.Updated,
			Unchanged: e.Unchanged, Deleted: e.Deleted, Related: e.Related})
	}
	c.JSON(http.StatusOK, out)
}

type exportRowDTO struct {
	RowCode    string  `json:"rowCode"`
	Status     string  `json:"status"`
	SrvDateUTC *string `json:"srvDateUTC"`
	SrvExport  *int    `json:"srvExport"`
}

type exportResultDTO struct {
	EntityName  string         `json:"entityName"`
	CompanyCode string         `json:"companyCode"`
	SrvExport   int            `json:"srvExport"`
	Updated     int            `json:"updated"`
	Rows        []exportRowDTO `json:"rows"`
}

// decodeExport reads a SrvExport request and its companyCode.
func decodeExport(c *gin.Context) (app.ExportInput, string, error) {
	var in struct {
		EntityName  string `json:"entityName"`
		CompanyCode string `json:"companyCode"`
		SrvExport   *int   `json:"srvExport"`
		Rows        []struct {
			RowCode    json.RawMessage `json:"rowCode"`
			SrvDateUTC string          `json:"srvDateUTC"`
		} `json:"rows"`
	}
	if err := DecodeJSON(c, &in); err != nil {
		return app.ExportInput{}, "", err
	}
	problems := &domain.ValidationError{}
	if in.SrvExport == nil {
		problems.Add("missing", nil, "srvExport")
	}
	if in.Rows == nil {
		problems.Add("missing", nil, "rows")
	}
	req := app.ExportInput{EntityName: in.EntityName}
	if in.SrvExport != nil {
		req.SrvExport = *in.SrvExport
	}
	for i, r := range in.Rows {
		code, err := dataset.CodeFromJSON(r.RowCode)
		if err != nil {
			problems.AddAt(err, "row_code", "rows", i, "rowCode")
		}
		req.Rows = append(req.Rows, app.ExportRowInput{RowCode: code.String(), SrvDateUTC: r.SrvDateUTC})
	}
	return req, in.CompanyCode, problems.OrNil()
}

func (h dataSetHandlers) export(c *gin.Context) {
	req, companyCode, err := decodeExport(c)
	if err != nil {
		writeError(c, err)
		return
	}
	res, err := h.svc.Export(c.Request.Context(), caller(c, companyCode), req)
	if err != nil {
		writeError(c, err)
		return
	}
	out := exportResultDTO{EntityName: res.Entity.Display(), CompanyCode: res.Company.Code().String(), SrvExport: res.SrvExport,
		Updated: res.Updated, Rows: make([]exportRowDTO, len(res.Rows))}
	for i, r := range res.Rows {
		row := exportRowDTO{RowCode: r.RowCode, Status: r.Status}
		if r.Found {
			date, export := dataset.FormatSrvDate(r.Row.SrvDate()), r.Row.SrvExport()
			row.SrvDateUTC, row.SrvExport = &date, &export
		}
		out.Rows[i] = row
	}
	c.JSON(http.StatusOK, out)
}

// rowBody reads a row object and the srvExport query parameter.
func rowBody(c *gin.Context) (map[string]json.RawMessage, int, error) {
	v := &domain.ValidationError{}
	export := queryInt(c, v, "srvExport")
	if err := v.OrNil(); err != nil {
		return nil, 0, err
	}
	var obj map[string]json.RawMessage
	body, err := readBody(c)
	if err != nil {
		return nil, 0, err
	}
	if rule := textRuleOf(c); rule.maxText > 0 && len(body) > rule.maxText {
		typ, params := rule.tooLarge("row_bytes")
		return nil, 0, domain.Invalid(typ, params, "body")
	}
	if err := UnmarshalJSON(body, &obj); err != nil {
		return nil, 0, err
	}
	if obj == nil {
		return nil, 0, domain.Invalid("type", domain.Params{domain.RuleParam: "row_body"}, "body")
	}
	if export == nil {
		return obj, 0, nil
	}
	return obj, *export, nil
}

func (h dataSetHandlers) create(c *gin.Context) {
	obj, export, err := rowBody(c)
	if err != nil {
		writeError(c, err)
		return
	}
	r, err := h.svc.CreateRow(c.Request.Context(), caller(c, ""), c.Param("entity"), obj, export)
	if err != nil {
		writeError(c, err)
		return
	}
	writeRow(c, http.StatusCreated, r.Row, r.Company)
}

func (h dataSetHandlers) get(c *gin.Context) {
	r, err := h.svc.Row(c.Request.Context(), caller(c, ""), c.Param("entity"), c.Param("rowCode"))
	if err != nil {
		writeError(c, err)
		return
	}
	writeRow(c, http.StatusOK, r.Row, r.Company)
}

func (h dataSetHandlers) update(c *gin.Context) {
	obj, export, err := rowBody(c)
	if err != nil {
		writeError(c, err)
		return
	}
	r, err := h.svc.UpdateRow(c.Request.Context(), caller(c, ""), c.Param("entity"), c.Param("rowCode"), obj, export)
	if err != nil {
		writeError(c, err)
		return
	}
	writeRow(c, http.StatusOK, r.Row, r.Company)
}

func (h dataSetHandlers) delete(c *gin.Context) {
	v := &domain.ValidationError{}
	export := queryInt(c, v, "srvExport")
	if err := v.OrNil(); err != nil {
		writeError(c, err)
		return
	}
	n := 0
	if export != nil {
		n = *export
	}
	r, err := h.svc.DeleteRow(c.Request.Context(), caller(c, ""), c.Param("entity"), c.Param("rowCode"), n)
	if err != nil {
		writeError(c, err)
		return
	}
	writeRow(c, http.StatusOK, r.Row, r.Company)
}
