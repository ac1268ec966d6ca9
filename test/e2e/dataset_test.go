package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	httpapi "github.com/parc-hq/parc/adapters/http"
	"github.com/parc-hq/parc/test/apitest"
)

// dataProject is a project with an owner (an integrator), a plain member,
// and a company outside it.
type dataProject struct {
	code                    string
	owner, member, outsider apitest.Company
}

func newDataProject(t *testing.T, api *apitest.API) dataProject {
	t.Helper()
	p := dataProject{code: "DATA-" + uuid.NewString()[:8], owner: api.NewCompany(t), member: api.NewCompany(t), outsider: api.NewCompany(t)}
	resp := api.Admin(t, http.MethodPost, "/admin/projects", map[string]any{
		"code": p.code, "licenses": 5, "companies": []string{p.owner.Code, p.member.Code}, "owner": p.owner.Code})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	return p
}

func (p dataProject) path(rest string) string { return "/v1/Data/" + p.code + "/" + rest }

// seedBatch is the seed's own example, verbatim but for its trailing comma.
const seedBatch = `{
"data": {
"customer": [
{ "customer_ID": "MF01", "name": "MF-01" },
{ "customer_ID": "MF02", "name": "MF-02" },
{ "customer_ID": "MF03", "name": "MF-03" }
]
},
"deletes": {
"customer": [ "MF02", "MF03" ],
"customercontact": [ "CONTACT01", "CONTACT02" ]
},
"Relations": [
{ "SourceEntityName": "customer", "SourceRowCode": "MF01", "TargetEntityName": "customerContact", "TargetFieldName": "customer_ID", "TargetRowCode": "CONTACT01" },
{ "SourceEntityName": "customer", "SourceRowCode": "MF01", "TargetEntityName": "customerContact", "TargetFieldName": "customer_ID", "TargetRowCode": "CONTACT02" }
]
}`

type entityCounts struct {
	EntityName                                    string
	Created, Updated, Unchanged, Deleted, Related int
}

func batchCounts(t *testing.T, resp *apitest.Response) map[string]entityCounts {
	t.Helper()
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	var out struct {
		Entities []entityCounts `json:"entities"`
	}
	resp.JSON(t, &out)
	m := map[string]entityCounts{}
	for _, e := range out.Entities {
		m[e.EntityName] = e
	}
	return m
}

func rows(t *testing.T, resp *apitest.Response) []map[string]any {
	t.Helper()
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	var out []map[string]any
	resp.JSON(t, &out)
	return out
}

func codes(list []map[string]any, idField string) []string {
	out := []string{}
	for _, r := range list {
		out = append(out, fmt.Sprint(r[idField]))
	}
	return out
}

func TestIntegratorSendsTheSeedExample(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		p := newDataProject(t, api)
		key := p.owner.Key

		t.Run("as printed, with its trailing comma: 400 with the position", func(t *testing.T) {
			// The seed prints a comma after the last deleted contact code.
			lastCode := strings.Index(seedBatch, `"CONTACT02" ]`) + len(`"CONTACT02"`)
			printed := seedBatch[:lastCode] + ",\n]}}"
			resp := api.CallInvalid(t, http.MethodPost, p.path("RelationalDataSet"), key, printed)
			require.Equal(t, http.StatusBadRequest, resp.Status, "%s", resp.Body)
			assert.Contains(t, resp.Map(t)["message"], "line 12, column 1", "the ] after the comma")
		})
		t.Run("its relations name contacts that exist nowhere: 422 naming relations[0], nothing stored", func(t *testing.T) {
			resp := api.Call(t, http.MethodPost, p.path("RelationalDataSet"), key, seedBatch)
			require.Equal(t, http.StatusUnprocessableEntity, resp.Status, "%s", resp.Body)
			body := resp.Map(t)
			details := body["details"].([]any)
			require.Len(t, details, 1)
			d := details[0].(map[string]any)
			assert.Equal(t, "relations[0]", d["path"])
			assert.Equal(t, "not_found", d["type"])
			assert.Contains(t, d["message"], "customerContact/CONTACT01")
			assert.Empty(t, rows(t, api.Call(t, http.MethodGet, p.path("customer"), key, nil)), "MF01 was not kept")
		})
		t.Run("once the contacts exist it succeeds", func(t *testing.T) {
			resp := api.Call(t, http.MethodPost, p.path("RelationalDataSet"), key, map[string]any{
				"data": map[string]any{"customerContact": []any{
					map[string]any{"customerContact_ID": "CONTACT01", "name": "Ann"},
					map[string]any{"customerContact_ID": "CONTACT02", "name": "Bob"}}}})
			assert.Equal(t, 2, batchCounts(t, resp)["customerContact"].Created)
			// The seed deletes from "customercontact" what it relates in
			// "customerContact": one entity. Deletes come first, so the
			// relations find no contact and the batch fails whole.
			resp = api.Call(t, http.MethodPost, p.path("RelationalDataSet"), key, seedBatch)
			require.Equal(t, http.StatusUnprocessableEntity, resp.Status, "%s", resp.Body)
			assert.Len(t, rows(t, api.Call(t, http.MethodGet, p.path("customercontact"), key, nil)), 2, "the deletes were rolled back")
		})
	})
}

func TestIntegratorRunsRelationalDataSets(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		p := newDataProject(t, api)
		key := p.member.Key
		post := func(body any) *apitest.Response {
			return api.Call(t, http.MethodPost, p.path("RelationalDataSet"), key, body)
		}
		first := post(map[string]any{
			"data": map[string]any{
				"customer":        []any{map[string]any{"customer_ID": "C1", "Name": "One", "city": "Lyon"}, map[string]any{"customer_ID": "C2", "Name": "Two"}},
				"customerContact": []any{map[string]any{"customerContact_ID": "K1", "name": "Ann"}},
			},
			"relations": []any{map[string]any{"sourceEntityName": "customer", "sourceRowCode": "C1", "targetEntityName": "CUSTOMERCONTACT",
				"targetFieldName": "customer_ID", "targetRowCode": "K1"}},
		})
		counts := batchCounts(t, first)
		assert.Equal(t, entityCounts{EntityName: "customer", Created: 2}, counts["customer"])
		assert.Equal(t, entityCounts{EntityName: "customerContact", Created: 1, Related: 1}, counts["customerContact"])

		t.Run("the relation set the target's field to the source's code", func(t *testing.T) {
			resp := api.Call(t, http.MethodGet, p.path("customercontact/K1"), key, nil)
			require.Equal(t, http.StatusOK, resp.Status)
			row := resp.Map(t)
			assert.Equal(t, "C1", row["customer_ID"])
			assert.Equal(t, p.member.Code, row["companyCode"])
			assert.EqualValues(t, 0, row["srvAttrib"])
		})
		t.Run("deletes, then writes: a code both deleted and written ends up present", func(t *testing.T) {
			counts := batchCounts(t, post(map[string]any{
				"DELETES": map[string]any{"Customer": []any{"C1", "C2", "NOPE"}},
				"Data":    map[string]any{"CUSTOMER": []any{map[string]any{"CUSTOMER_id": "C1", "name": "Again"}}},
			}))
			assert.Equal(t, entityCounts{EntityName: "Customer", Created: 1, Deleted: 2}, counts["Customer"])
			list := rows(t, api.Call(t, http.MethodGet, p.path("customer"), key, nil))
			require.Len(t, list, 1)
			assert.Equal(t, "Again", list[0]["name"])
			assert.Nil(t, list[0]["city"], "a revived row starts from the fields written")
			assert.Equal(t, "C1", list[0]["CUSTOMER_id"])
			gone := rows(t, api.Call(t, http.MethodGet, p.path("customer")+"?srvAttrib=1", key, nil))
			assert.Equal(t, []string{"C2"}, codes(gone, "customer_ID"))
		})
		t.Run("an update merges the given fields; an identical re-send is unchanged", func(t *testing.T) {
			before := api.Call(t, http.MethodGet, p.path("customer/C1"), key, nil).Map(t)
			counts := batchCounts(t, post(map[string]any{"data": map[string]any{"customer": []any{map[string]any{"customer_ID": "C1", "zip": "69001"}}}}))
			assert.Equal(t, 1, counts["customer"].Updated)
			after := api.Call(t, http.MethodGet, p.path("customer/C1"), key, nil).Map(t)
			assert.Equal(t, "Again", after["name"])
			assert.Equal(t, "69001", after["zip"])
			assert.Greater(t, after["srvDateUTC"], before["srvDateUTC"])
			counts = batchCounts(t, post(map[string]any{"data": map[string]any{"customer": []any{map[string]any{"customer_ID": "C1", "ZIP": "69001", "NAME": "Renamed"}}}}))
			assert.Equal(t, 1, counts["customer"].Updated)
			renamed := api.Call(t, http.MethodGet, p.path("customer/C1"), key, nil).Map(t)
			assert.Equal(t, "Renamed", renamed["name"], "the first spelling of a field is kept")
			assert.Equal(t, "69001", renamed["zip"])
			assert.Nil(t, renamed["NAME"])
			counts = batchCounts(t, post(map[string]any{"data": map[string]any{"customer": []any{map[string]any{"customer_ID": "C1", "ZIP": "69001"}}}}))
			assert.Equal(t, 1, counts["customer"].Unchanged)
			again := api.Call(t, http.MethodGet, p.path("customer/C1"), key, nil).Map(t)
			assert.Equal(t, renamed["srvDateUTC"], again["srvDateUTC"])
		})
		t.Run("srvExport of the call is set on the rows written", func(t *testing.T) {
			batchCounts(t, post(map[string]any{"srvExport": 3, "data": map[string]any{"customer": []any{map[string]any{"customer_ID": "C9"}}}}))
			row := api.Call(t, http.MethodGet, p.path("customer/C9"), key, nil).Map(t)
			assert.EqualValues(t, 3, row["srvExport"])
		})
		t.Run("relations take numeric row codes, as data and deletes do", func(t *testing.T) {
			counts := batchCounts(t, post(map[string]any{
				"data": map[string]any{"customer": []any{map[string]any{"customer_ID": 7}}, "customerContact": []any{map[string]any{"customerContact_ID": 8}}},
				"relations": []any{map[string]any{"SourceEntityName": "customer", "SourceRowCode": 7, "TargetEntityName": "customerContact",
					"TargetFieldName": "customer_ID", "TargetRowCode": 8}}}))
			assert.Equal(t, 1, counts["customerContact"].Related)
			resp := api.Call(t, http.MethodGet, p.path("customerContact/8"), key, nil)
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			assert.Equal(t, "7", resp.Map(t)["customer_ID"])
		})
		t.Run("a key given twice: 422, the same message every time", func(t *testing.T) {
			for range 5 {
				resp := api.CallInvalid(t, http.MethodPost, p.path("RelationalDataSet"), key, `{"data": {}, "Data": {}, "DATA": {}}`)
				require.Equal(t, http.StatusUnprocessableEntity, resp.Status, "%s", resp.Body)
				assert.Contains(t, string(resp.Body), `\"DATA\" and \"Data\" are the same key`)
			}
		})
	})
}

func TestFailingBatchStoresNothing(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		p := newDataProject(t, api)
		key := p.member.Key
		batchCounts(t, api.Call(t, http.MethodPost, p.path("RelationalDataSet"), key, map[string]any{
			"data": map[string]any{"item": []any{map[string]any{"item_ID": "KEEP", "v": 1}}}}))
		before := api.Call(t, http.MethodGet, p.path("item/KEEP"), key, nil).Map(t)

		for _, tc := range []struct {
			name string
			body any
			path string
		}{
			{"a row without its code", map[string]any{"deletes": map[string]any{"item": []any{"KEEP"}},
				"data": map[string]any{"item": []any{map[string]any{"item_ID": "N1"}, map[string]any{"v": 2}}}}, "data.item[1]"},
			{"a code with a slash, which no path could reach", map[string]any{"data": map[string]any{"item": []any{map[string]any{"item_ID": "A/B"}}}}, "data.item[0]"},
			{"a field nesting the row 32 levels deep", map[string]any{"data": map[string]any{"item": []any{map[string]any{"item_ID": "N5", "deep": nested(31)}}}}, "data.item[0].deep"},
			{"a row that is not an object", map[string]any{"data": map[string]any{"item": []any{"N1"}}}, "data.item[0]"},
			{"a bad code among the deletes", map[string]any{"deletes": map[string]any{"item": []any{"KEEP", map[string]any{}}}}, "deletes.item[1]"},
			{"a reserved entity name", map[string]any{"data": map[string]any{"Select": []any{}}}, "data.Select"},
			{"a field name that is not an identifier", map[string]any{"data": map[string]any{"item": []any{map[string]any{"item_ID": "N2", "a-b": 1}}}}, "data.item[0].a-b"},
			{"two spellings of one field", map[string]any{"data": map[string]any{"item": []any{map[string]any{"item_ID": "N2", "v": 1, "V": 2}}}}, "data.item[0]"},
			{"a relation to a row deleted first", map[string]any{"deletes": map[string]any{"item": []any{"KEEP"}},
				"data":      map[string]any{"item": []any{map[string]any{"item_ID": "N3"}}},
				"relations": []any{map[string]any{"SourceEntityName": "item", "SourceRowCode": "N3", "TargetEntityName": "item", "TargetFieldName": "parent", "TargetRowCode": "KEEP"}}}, "relations[0]"},
			{"a relation from a row that does not exist", map[string]any{"data": map[string]any{"item": []any{map[string]any{"item_ID": "N4"}}},
				"relations": []any{
					map[string]any{"SourceEntityName": "item", "SourceRowCode": "N4", "TargetEntityName": "item", "TargetFieldName": "parent", "TargetRowCode": "KEEP"},
					map[string]any{"SourceEntityName": "other", "SourceRowCode": "X", "TargetEntityName": "item", "TargetFieldName": "parent", "TargetRowCode": "KEEP"}}}, "relations[1]"},
		} {
			t.Run(tc.name+": 422 naming it", func(t *testing.T) {
				// Some of these bodies break the documented schema on purpose.
				resp := api.CallInvalid(t, http.MethodPost, p.path("RelationalDataSet"), key, tc.body)
				require.Equal(t, http.StatusUnprocessableEntity, resp.Status, "%s", resp.Body)
				assert.Contains(t, string(resp.Body), `"path":"`+tc.path)
				list := rows(t, api.Call(t, http.MethodGet, p.path("item"), key, nil))
				assert.Equal(t, []string{"KEEP"}, codes(list, "item_ID"), "nothing stored, nothing deleted")
				assert.Equal(t, before, list[0])
			})
		}
		t.Run("3,000 rows without their code: 422 listing 1,000 problems and how many in all", func(t *testing.T) {
			items := make([]any, 3000)
			for i := range items {
				items[i] = map[string]any{"v": i}
			}
			resp := api.CallInvalid(t, http.MethodPost, p.path("RelationalDataSet"), key, map[string]any{"data": map[string]any{"item": items}})
			require.Equal(t, http.StatusUnprocessableEntity, resp.Status)
			var body struct {
				Details []struct{ Path, Type, Message string }
			}
			require.NoError(t, json.Unmarshal(resp.Body, &body))
			require.Len(t, body.Details, httpapi.DefaultMaxIssue+1)
			assert.Equal(t, "data.item[999]", body.Details[999].Path)
			assert.Equal(t, "3000 problems in all; only the first 1000 are listed", body.Details[1000].Message)
		})
		t.Run("a row 31 levels deep is stored on every backend", func(t *testing.T) {
			assert.Equal(t, 1, batchCounts(t, api.Call(t, http.MethodPost, p.path("RelationalDataSet"), key, map[string]any{
				"data": map[string]any{"deep": []any{map[string]any{"deep_ID": "D", "v": nested(30)}}}}))["deep"].Created)
		})
		t.Run("malformed JSON: 400 with its position", func(t *testing.T) {
			resp := api.CallInvalid(t, http.MethodPost, p.path("RelationalDataSet"), key, "{\n\"data\": {\"item\": [}\n}")
			require.Equal(t, http.StatusBadRequest, resp.Status)
			assert.Contains(t, resp.Map(t)["message"], "line 2, column")
		})
	})
}

func TestIntegratorReadsChangesAndMarksThemExported(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		p := newDataProject(t, api)
		key := p.member.Key
		var items []any
		for i := range 5 {
			items = append(items, map[string]any{"order_ID": fmt.Sprintf("O%d", i), "amount": i * 10, "label": fmt.Sprintf("order %d", i)})
		}
		batchCounts(t, api.Call(t, http.MethodPost, p.path("RelationalDataSet"), key, map[string]any{"data": map[string]any{"order": items}}))
		all := rows(t, api.Call(t, http.MethodPost, p.path("Select"), key, map[string]any{"entityName": "Order"}))
		require.Len(t, all, 5)
		mark := all[0]["srvDateUTC"].(string)
		assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$`, mark)

		// Change two rows after the mark, delete a third.
		batchCounts(t, api.Call(t, http.MethodPost, p.path("RelationalDataSet"), key, map[string]any{
			"data":    map[string]any{"order": []any{map[string]any{"order_ID": "O1", "amount": 11}, map[string]any{"order_ID": "O2", "amount": 21}}},
			"deletes": map[string]any{"order": []any{"O3"}}}))

		changed := func(extra map[string]any) *apitest.Response {
			body := map[string]any{"entityName": "order", "filterFields": []any{
				map[string]any{"fieldName": "srvDateUTC", "operator": "GreaterThan", "filterValues": []any{mark}}}}
			for k, v := range extra {
				body[k] = v
			}
			return api.Call(t, http.MethodPost, p.path("Select"), key, body)
		}
		t.Run("a changed-since Select sees updates and tombstones", func(t *testing.T) {
			resp := changed(nil)
			list := rows(t, resp)
			assert.ElementsMatch(t, []string{"O1", "O2", "O3"}, codes(list, "order_ID"))
			assert.Equal(t, "3", resp.Header.Get("X-Total-Count"))
			for _, r := range list {
				assert.Equal(t, r["order_ID"] == "O3", r["srvAttrib"] == float64(1))
			}
			live := rows(t, changed(map[string]any{"srvAttrib": 0}))
			assert.ElementsMatch(t, []string{"O1", "O2"}, codes(live, "order_ID"))
		})
		t.Run("filters and sorts on fields", func(t *testing.T) {
			list := rows(t, api.Call(t, http.MethodPost, p.path("Select"), key, map[string]any{"entityName": "order", "srvAttrib": 0,
				"filterFields": []any{map[string]any{"fieldName": "AMOUNT", "operator": "GreaterThanOrEqual", "filterValues": []any{11}},
					map[string]any{"fieldName": "label", "operator": "StartWith", "filterValues": []any{"order"}}},
				"sortFields": []any{map[string]any{"fieldName": "amount", "direction": "DESC"}}}))
			assert.Equal(t, []string{"O4", "O2", "O1"}, codes(list, "order_ID"))
			resp := api.Call(t, http.MethodPost, p.path("Select"), key, map[string]any{"entityName": "order", "limit": 2, "offset": 1})
			assert.Len(t, rows(t, resp), 2)
			assert.Equal(t, "5", resp.Header.Get("X-Total-Count"))
		})
		t.Run("a bad filter: 422 naming it", func(t *testing.T) {
			resp := api.CallInvalid(t, http.MethodPost, p.path("Select"), key, map[string]any{"entityName": "order",
				"filterFields": []any{map[string]any{"fieldName": "amount", "operator": "Equal", "filterValues": []any{1}},
					map[string]any{"fieldName": "amount", "operator": "Like", "filterValues": []any{1}}}})
			require.Equal(t, http.StatusUnprocessableEntity, resp.Status)
			assert.Contains(t, string(resp.Body), `"path":"filterFields[1]"`)
		})

		t.Run("filter values and sort fields are capped: 422 with the path, never 500", func(t *testing.T) {
			values := func(n int) []any {
				out := make([]any, n)
				for i := range out {
					out[i] = fmt.Sprintf("order %d", i)
				}
				return out
			}
			filter := func(op string, vals []any) map[string]any {
				return map[string]any{"fieldName": "label", "operator": op, "filterValues": vals}
			}
			list := rows(t, api.Call(t, http.MethodPost, p.path("Select"), key, map[string]any{"entityName": "order", "srvAttrib": 0,
				"filterFields": []any{filter("StartWith", values(1000))}}))
			assert.Len(t, list, 4, "a thousand StartWith values at the cap")
			for _, tc := range []struct {
				name string
				body map[string]any
				path string
			}{
				{"1,001 values in all", map[string]any{"filterFields": []any{filter("Equal", values(1)), filter("StartWith", values(1000))}}, "filterFields[1].filterValues"},
				{"40,000 Equal values", map[string]any{"filterFields": []any{filter("Equal", values(40000))}}, "filterFields[0].filterValues"},
				{"51 filters", map[string]any{"filterFields": slices.Repeat([]any{filter("Equal", values(1))}, 51)}, "filterFields"},
				{"11 sort fields", map[string]any{"sortFields": slices.Repeat([]any{map[string]any{"fieldName": "label"}}, 11)}, "sortFields"},
				{"a null value", map[string]any{"filterFields": []any{map[string]any{"fieldName": "amount", "operator": "Equal", "filterValues": []any{nil}}}}, "filterFields[0].filterValues[0]"},
				{"companyCode as a field", map[string]any{"filterFields": []any{map[string]any{"fieldName": "companyCode", "operator": "Equal", "filterValues": []any{"X"}}}}, "filterFields[0].fieldName"},
			} {
				tc.body["entityName"] = "order"
				resp := api.CallInvalid(t, http.MethodPost, p.path("Select"), key, tc.body)
				require.Equal(t, http.StatusUnprocessableEntity, resp.Status, "%s: %.300s", tc.name, resp.Body)
				assert.Contains(t, string(resp.Body), `"path":"`+tc.path+`"`, tc.name)
			}
		})
		t.Run("srvExport and srvAttrib filter and sort as numbers", func(t *testing.T) {
			list := rows(t, api.Call(t, http.MethodPost, p.path("Select"), key, map[string]any{"entityName": "order",
				"filterFields": []any{map[string]any{"fieldName": "srvAttrib", "operator": "Equal", "filterValues": []any{1}},
					map[string]any{"fieldName": "SRVEXPORT", "operator": "LessThanOrEqual", "filterValues": []any{0}}}}))
			assert.Equal(t, []string{"O3"}, codes(list, "order_ID"))
			list = rows(t, api.Call(t, http.MethodPost, p.path("Select"), key, map[string]any{"entityName": "order",
				"sortFields": []any{map[string]any{"fieldName": "srvAttrib", "direction": "DESC"}}}))
			assert.Equal(t, "O3", codes(list, "order_ID")[0])
		})
		t.Run("SrvExport marks rows read, refuses stale dates, leaves srvDateUTC", func(t *testing.T) {
			list := rows(t, changed(map[string]any{"srvAttrib": 0}))
			var asked []any
			for _, r := range list {
				asked = append(asked, map[string]any{"rowCode": r["order_ID"], "srvDateUTC": r["srvDateUTC"]})
			}
			stale := all[4]["srvDateUTC"].(string) // O4 was not changed; give an older date
			asked = append(asked, map[string]any{"rowCode": "O4", "srvDateUTC": "2001-01-01T00:00:00.000000Z"},
				map[string]any{"rowCode": "NOPE", "srvDateUTC": stale})
			// O1 changes between the read and the export.
			batchCounts(t, api.Call(t, http.MethodPost, p.path("RelationalDataSet"), key, map[string]any{
				"data": map[string]any{"order": []any{map[string]any{"order_ID": "O1", "amount": 12}}}}))

			resp := api.Call(t, http.MethodPost, p.path("SrvExport"), key, map[string]any{"entityName": "order", "srvExport": 1, "rows": asked})
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			var out struct {
				Updated int `json:"updated"`
				Rows    []struct {
					RowCode    string  `json:"rowCode"`
					Status     string  `json:"status"`
					SrvDateUTC *string `json:"srvDateUTC"`
				} `json:"rows"`
			}
			resp.JSON(t, &out)
			status := map[string]string{}
			for _, r := range out.Rows {
				status[r.RowCode] = r.Status
			}
			assert.Equal(t, map[string]string{"O1": "changed", "O2": "updated", "O4": "changed", "NOPE": "not_found"}, status)
			assert.Equal(t, 1, out.Updated)

			o2 := api.Call(t, http.MethodGet, p.path("order/O2"), key, nil).Map(t)
			assert.EqualValues(t, 1, o2["srvExport"])
			for _, r := range list {
				if r["order_ID"] == "O2" {
					assert.Equal(t, r["srvDateUTC"], o2["srvDateUTC"], "srvDateUTC returned exactly as stored, untouched by SrvExport")
				}
			}
			notExported := rows(t, api.Call(t, http.MethodGet, p.path("order")+"?srvExport=0", key, nil))
			assert.NotContains(t, codes(notExported, "order_ID"), "O2")
		})
		t.Run("SrvExport with a malformed date: 422 naming the row", func(t *testing.T) {
			resp := api.CallInvalid(t, http.MethodPost, p.path("SrvExport"), key, map[string]any{"entityName": "order", "srvExport": 1,
				"rows": []any{map[string]any{"rowCode": "O2", "srvDateUTC": "yesterday"}}})
			require.Equal(t, http.StatusUnprocessableEntity, resp.Status)
			assert.Contains(t, string(resp.Body), `"path":"rows[0].srvDateUTC"`)
		})
	})
}

func TestCompanyManagesSingleRows(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		p := newDataProject(t, api)
		key := p.member.Key
		resp := api.Call(t, http.MethodPost, p.path("Ticket"), key, map[string]any{"ticket_ID": 42, "Title": "Printer", "srvAttrib": 1})
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		created := resp.Map(t)
		assert.EqualValues(t, 42, created["ticket_ID"], "a numeric code keeps its type in the row")
		assert.EqualValues(t, 0, created["srvAttrib"], "server fields sent by the client are ignored")

		t.Run("the same code again: 409", func(t *testing.T) {
			assert.Equal(t, http.StatusConflict, api.Call(t, http.MethodPost, p.path("ticket"), key, map[string]any{"TICKET_ID": "42"}).Status)
		})
		t.Run("read by code: 200; unknown: 404", func(t *testing.T) {
			assert.Equal(t, created, api.Call(t, http.MethodGet, p.path("TICKET/42"), key, nil).Map(t))
			assert.Equal(t, http.StatusNotFound, api.Call(t, http.MethodGet, p.path("ticket/43"), key, nil).Status)
		})
		t.Run("PUT changes the given fields, srvDateUTC strictly increases", func(t *testing.T) {
			last := created["srvDateUTC"].(string)
			for i := range 3 {
				resp := api.Call(t, http.MethodPut, p.path("ticket/42")+"?srvExport=2", key, map[string]any{"title": "Printer " + strconv.Itoa(i)})
				require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
				row := resp.Map(t)
				assert.Equal(t, "Printer "+strconv.Itoa(i), row["Title"])
				assert.EqualValues(t, 2, row["srvExport"])
				assert.Greater(t, row["srvDateUTC"], last)
				last = row["srvDateUTC"].(string)
			}
			assert.Equal(t, http.StatusNotFound, api.Call(t, http.MethodPut, p.path("ticket/43"), key, map[string]any{"x": 1}).Status)
			resp := api.Call(t, http.MethodPut, p.path("ticket/42"), key, map[string]any{"ticket_ID": 7})
			assert.Equal(t, http.StatusUnprocessableEntity, resp.Status, "the code cannot change")
		})
		t.Run("DELETE leaves a tombstone; POST revives it", func(t *testing.T) {
			resp := api.Call(t, http.MethodDelete, p.path("ticket/42"), key, nil)
			require.Equal(t, http.StatusOK, resp.Status)
			assert.EqualValues(t, 1, resp.Map(t)["srvAttrib"])
			assert.Equal(t, http.StatusNotFound, api.Call(t, http.MethodGet, p.path("ticket/42"), key, nil).Status)
			assert.Equal(t, http.StatusNotFound, api.Call(t, http.MethodDelete, p.path("ticket/42"), key, nil).Status)
			resp = api.Call(t, http.MethodPost, p.path("ticket"), key, map[string]any{"ticket_ID": "42", "title": "Back"})
			require.Equal(t, http.StatusCreated, resp.Status)
			revived := resp.Map(t)
			assert.Equal(t, "Back", revived["title"], "a revived row starts from the fields written")
			assert.Nil(t, revived["Title"])
			assert.Greater(t, revived["srvDateUTC"], created["srvDateUTC"])
		})
		t.Run("list: X-Total-Count, limit and offset", func(t *testing.T) {
			for i := range 3 {
				require.Equal(t, http.StatusCreated, api.Call(t, http.MethodPost, p.path("ticket"), key, map[string]any{"ticket_ID": fmt.Sprintf("T%d", i)}).Status)
			}
			resp := api.Call(t, http.MethodGet, p.path("ticket")+"?limit=2&offset=1", key, nil)
			assert.Len(t, rows(t, resp), 2)
			assert.Equal(t, "4", resp.Header.Get("X-Total-Count"))
		})
		t.Run("a trailing space makes another code on every backend", func(t *testing.T) {
			batchCounts(t, api.Call(t, http.MethodPost, p.path("RelationalDataSet"), key, map[string]any{
				"data": map[string]any{"spaced": []any{map[string]any{"spaced_ID": "X"}, map[string]any{"spaced_ID": "X "}}}}))
			require.Equal(t, http.StatusOK, api.Call(t, http.MethodDelete, p.path("spaced/X%20"), key, nil).Status)
			assert.Equal(t, []string{"X"}, codes(rows(t, api.Call(t, http.MethodGet, p.path("spaced"), key, nil)), "spaced_ID"))
		})
		t.Run("bad input", func(t *testing.T) {
			resp := api.CallInvalid(t, http.MethodPost, p.path("ticket"), key, `{"ticket_ID": "1",}`)
			assert.Equal(t, http.StatusBadRequest, resp.Status)
			assert.Contains(t, resp.Map(t)["message"], "line 1, column 19", "the } after the comma")
			assert.Equal(t, http.StatusUnprocessableEntity, api.Call(t, http.MethodPost, p.path("ticket"), key, map[string]any{"title": "no code"}).Status)
			assert.Equal(t, http.StatusUnprocessableEntity, api.Call(t, http.MethodPost, p.path("ticket"), key, map[string]any{"ticket_ID": "T/1"}).Status, "a code with a slash")
			assert.Equal(t, http.StatusUnprocessableEntity, api.CallInvalid(t, http.MethodGet, p.path("bad-name"), key, nil).Status)
			assert.Equal(t, http.StatusUnprocessableEntity, api.CallInvalid(t, http.MethodGet, p.path("ticket")+"?limit=x", key, nil).Status)
			// A limit over the maximum is refused, naming it, never capped.
			over := api.CallInvalid(t, http.MethodGet, p.path("ticket")+"?limit=10001", key, nil)
			assert.Equal(t, http.StatusUnprocessableEntity, over.Status)
			assert.Contains(t, string(over.Body), `"path":"limit"`)
			over = api.CallInvalid(t, http.MethodPost, p.path("Select"), key, `{"entityName": "ticket", "limit": 10001}`)
			assert.Equal(t, http.StatusUnprocessableEntity, over.Status)
			assert.Contains(t, string(over.Body), `"path":"limit"`)
			assert.Equal(t, http.StatusUnprocessableEntity, api.CallInvalid(t, http.MethodGet, p.path("SrvExport"), key, nil).Status, "reserved name")
		})
	})
}

func TestDataAccessRules(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		p := newDataProject(t, api)
		write := func(key, companyCode, code string) *apitest.Response {
			return api.Call(t, http.MethodPost, p.path("RelationalDataSet"), key, map[string]any{"companyCode": companyCode,
				"data": map[string]any{"thing": []any{map[string]any{"thing_ID": code}}}})
		}
		batchCounts(t, write(p.member.Key, "", "M1"))
		batchCounts(t, write(p.owner.Key, "", "O1"))

		t.Run("each company sees its own rows", func(t *testing.T) {
			assert.Equal(t, []string{"M1"}, codes(rows(t, api.Call(t, http.MethodGet, p.path("thing"), p.member.Key, nil)), "thing_ID"))
			assert.Equal(t, []string{"O1"}, codes(rows(t, api.Call(t, http.MethodGet, p.path("thing"), p.owner.Key, nil)), "thing_ID"))
			assert.Equal(t, http.StatusNotFound, api.Call(t, http.MethodGet, p.path("thing/O1"), p.member.Key, nil).Status)
		})
		t.Run("the owner acts for a member with companyCode", func(t *testing.T) {
			resp := write(p.owner.Key, p.member.Code, "M2")
			batchCounts(t, resp)
			list := rows(t, api.Call(t, http.MethodGet, p.path("thing")+"?companyCode="+p.member.Code, p.owner.Key, nil))
			assert.Equal(t, []string{"M1", "M2"}, codes(list, "thing_ID"))
			assert.Equal(t, p.member.Code, list[0]["companyCode"])
			sel := rows(t, api.Call(t, http.MethodPost, p.path("Select"), p.owner.Key, map[string]any{"entityName": "thing", "companyCode": p.member.Code}))
			assert.Len(t, sel, 2)
		})
		t.Run("a member naming another company: 403", func(t *testing.T) {
			assert.Equal(t, http.StatusForbidden, write(p.member.Key, p.owner.Code, "X").Status)
			assert.Equal(t, http.StatusForbidden, api.Call(t, http.MethodGet, p.path("thing/M1")+"?companyCode="+p.owner.Code, p.member.Key, nil).Status)
		})
		t.Run("the owner naming a company outside the project: 403", func(t *testing.T) {
			assert.Equal(t, http.StatusForbidden, write(p.owner.Key, p.outsider.Code, "X").Status)
		})
		t.Run("an unknown companyCode is refused as an outsider's: no code is confirmed", func(t *testing.T) {
			for _, key := range []string{p.owner.Key, p.member.Key} {
				outsider, unknown := write(key, p.outsider.Code, "X"), write(key, "NOBODY-"+uuid.NewString()[:8], "X")
				require.Equal(t, http.StatusForbidden, outsider.Status)
				require.Equal(t, http.StatusForbidden, unknown.Status)
				assert.Equal(t, outsider.Map(t)["message"], unknown.Map(t)["message"])
			}
		})
		t.Run("a company outside the project: 403", func(t *testing.T) {
			assert.Equal(t, http.StatusForbidden, api.Call(t, http.MethodGet, p.path("thing"), p.outsider.Key, nil).Status)
			assert.Equal(t, http.StatusForbidden, write(p.outsider.Key, "", "X").Status)
		})
		t.Run("another project's rows are not seen", func(t *testing.T) {
			other := newDataProject(t, api)
			resp := api.Admin(t, http.MethodPut, "/admin/projects/"+other.code, map[string]any{"companies": []string{other.owner.Code, p.member.Code}})
			require.Equal(t, http.StatusOK, resp.Status)
			assert.Empty(t, rows(t, api.Call(t, http.MethodGet, other.path("thing"), p.member.Key, nil)))
		})
		t.Run("an unknown project: 404; no key: 401", func(t *testing.T) {
			assert.Equal(t, http.StatusNotFound, api.Call(t, http.MethodGet, "/v1/Data/NOPE-"+uuid.NewString()[:8]+"/thing", p.member.Key, nil).Status)
			assert.Equal(t, http.StatusUnauthorized, api.Call(t, http.MethodGet, p.path("thing"), "", nil).Status)
		})
	})
}

func TestConcurrentBatches(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		t.Run("Concurrent batches on the same rows both succeed and merge", func(t *testing.T) {
			p := newDataProject(t, api)
			const workers, n = 4, 50
			var wg sync.WaitGroup
			statuses := make([]int, workers)
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var items []any
					for i := range n {
						// Each worker writes its own field of the same rows, in
						// a different order, and relates them.
						j := i
						if w%2 == 1 {
							j = n - 1 - i
						}
						items = append(items, map[string]any{"row_ID": fmt.Sprintf("R%03d", j), fmt.Sprintf("f%d", w): w})
					}
					resp := api.Call(t, http.MethodPost, p.path("RelationalDataSet"), p.member.Key, map[string]any{
						"data": map[string]any{"row": items},
						"relations": []any{map[string]any{"SourceEntityName": "row", "SourceRowCode": "R000",
							"TargetEntityName": "row", "TargetFieldName": "parent", "TargetRowCode": "R001"}}})
					statuses[w] = resp.Status
				}()
			}
			wg.Wait()
			for _, s := range statuses {
				assert.Equal(t, http.StatusOK, s)
			}
			list := rows(t, api.Call(t, http.MethodGet, p.path("row"), p.member.Key, nil))
			require.Len(t, list, n)
			for _, r := range list {
				for w := range workers {
					assert.EqualValues(t, w, r[fmt.Sprintf("f%d", w)], "row %v lost worker %d's field", r["row_ID"], w)
				}
			}
		})
	})
}

// nested is a value of levels arrays, one in another.
func nested(levels int) any {
	var v any = "bottom"
	for range levels {
		v = []any{v}
	}
	return v
}

// TestChangedSinceReaderMissesNoRow races single-row writers of one entity
// against an integration that reads "changed since the last date I read"
// over and over: every row's last version must reach the reader, although
// writers take their dates before they commit and commit in any order.
func TestChangedSinceReaderMissesNoRow(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		t.Run("Concurrent single-row writers and a changed-since reader: no row missed", func(t *testing.T) {
			p := newDataProject(t, api)
			const writers, perWriter = 8, 30
			var wg sync.WaitGroup
			done := make(chan struct{})
			for w := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range perWriter {
						code := fmt.Sprintf("W%d-%03d", w, i)
						resp := api.Call(t, http.MethodPost, p.path("job"), p.member.Key, map[string]any{"job_ID": code, "step": 0})
						assert.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
						if i%3 == 2 { // change an earlier row, and delete another
							resp = api.Call(t, http.MethodPut, p.path(fmt.Sprintf("job/W%d-%03d", w, i-2)), p.member.Key, map[string]any{"step": i})
							assert.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
							resp = api.Call(t, http.MethodDelete, p.path(fmt.Sprintf("job/W%d-%03d", w, i-1)), p.member.Key, nil)
							assert.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
						}
					}
				}()
			}
			go func() { wg.Wait(); close(done) }()

			seen := map[string]bool{} // code + " " + srvDateUTC
			since, reads := "2000-01-01T00:00:00.000000Z", 0
			read := func() {
				resp := api.Call(t, http.MethodPost, p.path("Select"), p.member.Key, map[string]any{"entityName": "job", "limit": 10000,
					"filterFields": []any{map[string]any{"fieldName": "srvDateUTC", "operator": "GreaterThan", "filterValues": []any{since}}}})
				for _, r := range rows(t, resp) {
					date := fmt.Sprint(r["srvDateUTC"])
					seen[fmt.Sprint(r["job_ID"])+" "+date] = true
					since = max(since, date)
				}
				reads++
			}
			for running := true; running; {
				select {
				case <-done:
					running = false
				default:
					read()
				}
			}
			read()
			final := rows(t, api.Call(t, http.MethodPost, p.path("Select"), p.member.Key, map[string]any{"entityName": "job", "limit": 10000}))
			require.Len(t, final, writers*perWriter)
			missed := 0
			for _, r := range final {
				if !seen[fmt.Sprint(r["job_ID"])+" "+fmt.Sprint(r["srvDateUTC"])] {
					missed++
				}
			}
			assert.Zero(t, missed, "rows whose last version the reader never saw, over %d reads", reads)
		})
	})
}
