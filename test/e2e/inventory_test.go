package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/parc-hq/parc/adapters/database"
	"github.com/parc-hq/parc/adapters/gormstore"
	httpapi "github.com/parc-hq/parc/adapters/http"
	"github.com/parc-hq/parc/test/apitest"
	"github.com/parc-hq/parc/test/dbtest"
)

type rec map[string]any

func record(computer, program, version string) rec {
	return rec{"computer_name": computer, "program": program, "version": version}
}

type pushAnswer struct {
	Status  string `json:"status"`
	Message string `json:"message"`
	Errors  []struct {
		Index   int    `json:"index"`
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

func push(t *testing.T, api *apitest.API, key, query string, records any) (int, pushAnswer) {
	t.Helper()
	resp := api.Call(t, http.MethodPost, "/client-data"+query, key, records)
	var out pushAnswer
	resp.JSON(t, &out)
	return resp.Status, out
}

type installation struct {
	ComputerName string  `json:"computer_name"`
	IPAddress    *string `json:"ip_address"`
	LastSeen     *string `json:"last_seen"`
	Program      string  `json:"program"`
	Version      string  `json:"version"`
	Removed      bool    `json:"removed"`
}

type installationPage struct {
	Items      []installation `json:"items"`
	NextCursor *string        `json:"next_cursor"`
}

func list(t *testing.T, api *apitest.API, key string, query url.Values) installationPage {
	t.Helper()
	resp := api.Call(t, http.MethodGet, "/client-data?"+query.Encode(), key, nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	var out installationPage
	resp.JSON(t, &out)
	return out
}

type historyPage struct {
	ComputerName string `json:"computer_name"`
	Events       []struct {
		Program     string  `json:"program"`
		Event       string  `json:"event"`
		FromVersion *string `json:"from_version"`
		ToVersion   *string `json:"to_version"`
	} `json:"events"`
	NextCursor *string `json:"next_cursor"`
}

func history(t *testing.T, api *apitest.API, key, computer, query string) (int, historyPage) {
	t.Helper()
	resp := api.Call(t, http.MethodGet, "/client-data/computers/"+url.PathEscape(computer)+"/history"+query, key, nil)
	var out historyPage
	resp.JSON(t, &out)
	return resp.Status, out
}

func TestPushClientData(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		t.Run("every record valid: 200 success", func(t *testing.T) {
			acme := api.NewCompany(t)
			status, ans := push(t, api, acme.Key, "", []rec{
				{"computer_name": "PC-1", "ip_address": "10.0.0.1", "program": "Chrome", "version": "119"},
				record("PC-1", "7-Zip", "23.01"),
			})
			require.Equal(t, http.StatusOK, status)
			assert.Equal(t, pushAnswer{Status: "success", Message: "2 records updated successfully"}, ans)
			page := list(t, api, acme.Key, nil)
			require.Len(t, page.Items, 2)
			assert.Equal(t, "PC-1", page.Items[0].ComputerName)
			require.NotNil(t, page.Items[0].IPAddress)
			assert.Equal(t, "10.0.0.1", *page.Items[0].IPAddress)
			assert.NotNil(t, page.Items[0].LastSeen)
			assert.Nil(t, page.NextCursor)
		})

		t.Run("some records invalid: 200 partial_success naming them", func(t *testing.T) {
			acme := api.NewCompany(t)
			resp := api.CallInvalid(t, http.MethodPost, "/client-data", acme.Key, []any{
				record("PC-1", "Chrome", "119"),
				rec{"computer_name": "PC-1", "program": "Zip", "version": "1", "ip_address": "300.1.1.1"},
				rec{"computer_name": "PC-2", "program": 12},
				"not a record",
				record("PC-3", "Chrome", "120"),
			})
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			var ans pushAnswer
			resp.JSON(t, &ans)
			assert.Equal(t, "partial_success", ans.Status)
			assert.Equal(t, "2 records updated successfully, 3 rejected", ans.Message)
			var where []string
			for _, e := range ans.Errors {
				where = append(where, fmt.Sprintf("%d:%s", e.Index, e.Field))
			}
			assert.Equal(t, []string{"1:ip_address", "2:program", "2:version", "3:"}, where)
			assert.Len(t, list(t, api, acme.Key, nil).Items, 2)
		})

		t.Run("every record invalid: 422 with the errors", func(t *testing.T) {
			acme := api.NewCompany(t)
			resp := api.CallInvalid(t, http.MethodPost, "/client-data", acme.Key, []any{rec{"computer_name": ""}, 5, nil})
			require.Equal(t, http.StatusUnprocessableEntity, resp.Status, "%s", resp.Body)
			var ans pushAnswer
			resp.JSON(t, &ans)
			assert.Equal(t, "error", ans.Status)
			assert.Len(t, ans.Errors, 5)
			assert.Equal(t, "all 3 records were rejected", ans.Message)
			assert.Empty(t, list(t, api, acme.Key, nil).Items)
		})

		t.Run("an unknown mode: 422", func(t *testing.T) {
			acme := api.NewCompany(t)
			resp := api.CallInvalid(t, http.MethodPost, "/client-data?mode=partial", acme.Key, []rec{record("PC", "P", "1")})
			require.Equal(t, http.StatusUnprocessableEntity, resp.Status, "%s", resp.Body)
			assert.Equal(t, "error", resp.Map(t)["status"])
			assert.Empty(t, list(t, api, acme.Key, nil).Items)
		})

		t.Run("an empty list: 200 success", func(t *testing.T) {
			acme := api.NewCompany(t)
			status, ans := push(t, api, acme.Key, "", []rec{})
			assert.Equal(t, http.StatusOK, status)
			assert.Equal(t, "0 records updated successfully", ans.Message)
		})

		t.Run("not JSON, or not an array: 400", func(t *testing.T) {
			acme := api.NewCompany(t)
			for _, body := range []string{`[{"computer_name": `, `{"computer_name": "PC"}`, `null`, ``} {
				resp := api.CallInvalid(t, http.MethodPost, "/client-data", acme.Key, body)
				require.Equal(t, http.StatusBadRequest, resp.Status, "%q: %s", body, resp.Body)
				assert.Equal(t, "error", resp.Map(t)["status"])
			}
			for _, body := range []string{`{"computer_name": "PC"}`, `null`, ` "records" `} {
				resp := api.CallInvalid(t, http.MethodPost, "/client-data", acme.Key, body)
				require.Equal(t, http.StatusBadRequest, resp.Status, "%q: %s", body, resp.Body)
				assert.Equal(t, "the body must be a JSON array of records", resp.Map(t)["message"], "%q", body)
			}
			resp := api.CallInvalid(t, http.MethodPost, "/client-data", acme.Key, `[{"computer_name": `)
			assert.Contains(t, resp.Map(t)["message"], "malformed JSON at line 1")
		})

		t.Run("3,000 records that are not objects: 422 listing 1,000 problems and how many in all", func(t *testing.T) {
			acme := api.NewCompany(t)
			resp := api.CallInvalid(t, http.MethodPost, "/client-data", acme.Key, "["+strings.TrimSuffix(strings.Repeat("7,", 3000), ",")+"]")
			require.Equal(t, http.StatusUnprocessableEntity, resp.Status)
			var ans struct {
				Message string
				Errors  []struct{ Index int }
			}
			require.NoError(t, json.Unmarshal(resp.Body, &ans))
			assert.Len(t, ans.Errors, 1000)
			assert.Equal(t, "all 3000 records were rejected; 3000 problems in all, the first 1000 are listed", ans.Message)
		})

		t.Run("no key or a wrong key: 401", func(t *testing.T) {
			for _, key := range []string{"", "parc_aaaaaaaa_" + strings.Repeat("b", 32)} {
				status, ans := push(t, api, key, "", []rec{record("PC", "P", "1")})
				assert.Equal(t, http.StatusUnauthorized, status)
				assert.Equal(t, "error", ans.Status)
				assert.NotEmpty(t, ans.Message)
			}
		})

		t.Run("a body over the limit: 413", func(t *testing.T) {
			small := apitest.New(t, api.Target, apitest.WithBodyLimit(1024))
			acme := small.NewCompany(t)
			var big []rec
			for i := range 100 {
				big = append(big, record(fmt.Sprintf("PC-%d", i), "Program", "1.0"))
			}
			resp := small.Call(t, http.MethodPost, "/client-data", acme.Key, big)
			require.Equal(t, http.StatusRequestEntityTooLarge, resp.Status, "%s", resp.Body)
			assert.Equal(t, "error", resp.Map(t)["status"])
		})

		t.Run("names match without regard to case or spaces; the first spelling stays", func(t *testing.T) {
			acme := api.NewCompany(t)
			push(t, api, acme.Key, "", []rec{record("PC-Compta", "Google Chrome", "119")})
			status, _ := push(t, api, acme.Key, "", []rec{{"computer_name": "  pc-compta ", "ip_address": "fe80::1", "program": "GOOGLE CHROME ", "version": "120"}})
			require.Equal(t, http.StatusOK, status)
			page := list(t, api, acme.Key, url.Values{"computer_name": {"PC-COMPTA"}})
			require.Len(t, page.Items, 1)
			assert.Equal(t, "PC-Compta", page.Items[0].ComputerName)
			assert.Equal(t, "Google Chrome", page.Items[0].Program)
			assert.Equal(t, "120", page.Items[0].Version)
			assert.Equal(t, "fe80::1", *page.Items[0].IPAddress)
		})

		t.Run("an update is kept as history", func(t *testing.T) {
			acme := api.NewCompany(t)
			push(t, api, acme.Key, "", []rec{record("PC-1", "Chrome", "119")})
			push(t, api, acme.Key, "", []rec{record("PC-1", "Chrome", "119")})
			push(t, api, acme.Key, "", []rec{record("pc-1", "chrome", "120")})
			status, h := history(t, api, acme.Key, "PC-1", "")
			require.Equal(t, http.StatusOK, status)
			assert.Equal(t, "PC-1", h.ComputerName)
			require.Len(t, h.Events, 2)
			assert.Equal(t, "installed", h.Events[0].Event)
			assert.Nil(t, h.Events[0].FromVersion)
			assert.Equal(t, "119", *h.Events[0].ToVersion)
			assert.Equal(t, "updated", h.Events[1].Event)
			assert.Equal(t, "119", *h.Events[1].FromVersion)
			assert.Equal(t, "120", *h.Events[1].ToVersion)
			status, _ = history(t, api, acme.Key, "PC-unknown", "")
			assert.Equal(t, http.StatusNotFound, status)
		})

		t.Run("the last duplicate of a request wins", func(t *testing.T) {
			acme := api.NewCompany(t)
			status, ans := push(t, api, acme.Key, "", []rec{record("PC-1", "Chrome", "1"), record("pc-1", "CHROME", "2"), record("PC-1", "Chrome", "3")})
			require.Equal(t, http.StatusOK, status)
			assert.Equal(t, "3 records updated successfully", ans.Message)
			page := list(t, api, acme.Key, nil)
			require.Len(t, page.Items, 1)
			assert.Equal(t, "3", page.Items[0].Version)
		})

		t.Run("full mode marks programs not re-sent as removed", func(t *testing.T) {
			acme := api.NewCompany(t)
			push(t, api, acme.Key, "", []rec{record("PC-1", "Chrome", "1"), record("PC-1", "Zip", "1"), record("PC-2", "Zip", "1")})
			push(t, api, acme.Key, "", []rec{record("PC-1", "Chrome", "1")})
			assert.Len(t, list(t, api, acme.Key, nil).Items, 3, "without full mode nothing is removed")
			status, _ := push(t, api, acme.Key, "?mode=full", []rec{record("PC-1", "Chrome", "1")})
			require.Equal(t, http.StatusOK, status)
			present := list(t, api, acme.Key, nil)
			assert.Len(t, present.Items, 2, "PC-1's Zip removed, PC-2 untouched")
			all := list(t, api, acme.Key, url.Values{"include_removed": {"true"}})
			require.Len(t, all.Items, 3)
			removed := list(t, api, acme.Key, url.Values{"include_removed": {"true"}, "computer_name": {"PC-1"}, "program": {"zip"}})
			require.Len(t, removed.Items, 1)
			assert.True(t, removed.Items[0].Removed)
			_, h := history(t, api, acme.Key, "pc-1", "")
			require.Len(t, h.Events, 3)
			assert.Equal(t, "removed", h.Events[2].Event)
			assert.Equal(t, "1", *h.Events[2].FromVersion)
			assert.Nil(t, h.Events[2].ToVersion)

			push(t, api, acme.Key, "", []rec{record("PC-1", "Zip", "2")})
			var paged []string
			query := "?limit=1"
			for pages := 0; ; pages++ {
				require.Less(t, pages, 10)
				status, page := history(t, api, acme.Key, "PC-1", query)
				require.Equal(t, http.StatusOK, status)
				for _, e := range page.Events {
					paged = append(paged, e.Event+" "+e.Program)
				}
				if page.NextCursor == nil {
					break
				}
				query = "?limit=1&cursor=" + url.QueryEscape(*page.NextCursor)
			}
			assert.Equal(t, []string{"installed Chrome", "installed Zip", "removed Zip", "installed Zip"}, paged)
		})

		t.Run("full mode removes nothing from a computer a rejected record names", func(t *testing.T) {
			acme := api.NewCompany(t)
			push(t, api, acme.Key, "", []rec{record("PC-F", "Chrome", "1"), record("PC-F", "Firefox", "120"), record("PC-F", "Office", "16"),
				record("PC-G", "Chrome", "1"), record("PC-G", "Zip", "1")})
			resp := api.CallInvalid(t, http.MethodPost, "/client-data?mode=full", acme.Key, []any{
				record("PC-F", "Chrome", "2"), record("PC-F", "Firefox", ""), record("PC-F", "Office", "16"),
				record("PC-G", "Chrome", "1"), rec{"program": "Zip", "version": "1"},
			})
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			var ans pushAnswer
			resp.JSON(t, &ans)
			assert.Equal(t, "partial_success", ans.Status)
			assert.Equal(t, "3 records updated successfully, 2 rejected; full mode: nothing removed from 1 computer named by a rejected record", ans.Message)
			require.Len(t, ans.Errors, 2)
			assert.Equal(t, "version", ans.Errors[0].Field)

			all := list(t, api, acme.Key, url.Values{"include_removed": {"true"}, "computer_name": {"PC-F"}})
			got := map[string]string{}
			for _, it := range all.Items {
				got[it.Program] = fmt.Sprintf("%s removed=%t", it.Version, it.Removed)
			}
			assert.Equal(t, map[string]string{"Chrome": "2 removed=false", "Firefox": "120 removed=false", "Office": "16 removed=false"}, got)
			_, h := history(t, api, acme.Key, "PC-F", "")
			for _, e := range h.Events {
				assert.NotEqual(t, "removed", e.Event, "%s", e.Program)
			}
			require.Len(t, h.Events, 4, "three installations and Chrome's update")

			// A record without a computer names none: PC-G is trimmed.
			zip := list(t, api, acme.Key, url.Values{"include_removed": {"true"}, "computer_name": {"PC-G"}, "program": {"Zip"}})
			require.Len(t, zip.Items, 1)
			assert.True(t, zip.Items[0].Removed)
		})

		t.Run("a control character rejects its record alike on every backend", func(t *testing.T) {
			acme := api.NewCompany(t)
			resp := api.CallInvalid(t, http.MethodPost, "/client-data", acme.Key, []any{
				record("PC-1", "Chrome", "1"), record("PC-1\x00", "Zip", "1"), record("PC-1", "Zip\x00", "1"), record("PC-1", "Tar", "1\t2"),
			})
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			var ans pushAnswer
			resp.JSON(t, &ans)
			assert.Equal(t, "partial_success", ans.Status)
			var where []string
			for _, e := range ans.Errors {
				where = append(where, fmt.Sprintf("%d:%s", e.Index, e.Field))
			}
			assert.Equal(t, []string{"1:computer_name", "2:program", "3:version"}, where)
			page := list(t, api, acme.Key, nil)
			require.Len(t, page.Items, 1)
			assert.Equal(t, "Chrome", page.Items[0].Program)

			resp = api.CallInvalid(t, http.MethodPost, "/client-data", acme.Key, []any{record("\x00", "\x00", "\x00")})
			require.Equal(t, http.StatusUnprocessableEntity, resp.Status, "%s", resp.Body)

			for _, q := range []string{"?program=%00", "?computer_name=PC%001", "?version=%FF"} {
				bad := api.CallInvalid(t, http.MethodGet, "/client-data"+q, acme.Key, nil)
				assert.Equal(t, http.StatusUnprocessableEntity, bad.Status, "%s: %s", q, bad.Body)
			}
			bad := api.CallInvalid(t, http.MethodGet, "/client-data/programs?program=%00", acme.Key, nil)
			assert.Equal(t, http.StatusUnprocessableEntity, bad.Status, "%s", bad.Body)
			status, _ := history(t, api, acme.Key, "PC-1\x00", "")
			assert.Equal(t, http.StatusUnprocessableEntity, status, "no name holds a NUL: the text rule refuses it")
		})

		t.Run("the program summary shows the first spelling seen", func(t *testing.T) {
			acme := api.NewCompany(t)
			for i, spelling := range []string{"google chrome", "Google Chrome", "GOOGLE CHROME"} {
				status, _ := push(t, api, acme.Key, "", []rec{record(fmt.Sprintf("PC-%d", i), spelling, "1")})
				require.Equal(t, http.StatusOK, status)
			}
			resp := api.Call(t, http.MethodGet, "/client-data/programs", acme.Key, nil)
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			var sum struct {
				Programs []struct {
					Program   string `json:"program"`
					Computers int    `json:"computers"`
				} `json:"programs"`
			}
			resp.JSON(t, &sum)
			require.Len(t, sum.Programs, 1)
			assert.Equal(t, "google chrome", sum.Programs[0].Program)
			assert.Equal(t, 3, sum.Programs[0].Computers)
		})

		t.Run("a computer named with a slash or a percent sign has a reachable history", func(t *testing.T) {
			acme := api.NewCompany(t)
			status, _ := push(t, api, acme.Key, "", []rec{record("PC/7", "Chrome", "1"), record("Compta 50%", "Zip", "1")})
			require.Equal(t, http.StatusOK, status)
			for _, name := range []string{"PC/7", " pc/7", "Compta 50%"} {
				status, h := history(t, api, acme.Key, name, "")
				require.Equal(t, http.StatusOK, status, "%q", name)
				assert.Equal(t, strings.TrimSpace(strings.Replace(name, "pc", "PC", 1)), h.ComputerName)
				require.Len(t, h.Events, 1)
			}
			status, _ = history(t, api, acme.Key, "PC/8", "")
			assert.Equal(t, http.StatusNotFound, status)
			for _, path := range []string{"/client-data/computers/PC/7/history", "/client-data/computers/PC-7/events", "/client-data/computers//history"} {
				resp := api.CallInvalid(t, http.MethodGet, path, acme.Key, nil)
				assert.Equal(t, http.StatusNotFound, resp.Status, "%s: %s", path, resp.Body)
				assert.Equal(t, "error", resp.Map(t)["status"], "%s", path)
			}
		})

		t.Run("a number no float holds rejects only its record", func(t *testing.T) {
			acme := api.NewCompany(t)
			body := `[{"computer_name": "PC-1", "program": "Chrome", "version": "1"},` +
				`{"computer_name": 1e999, "program": "Zip", "version": "1"},` +
				`{"computer_name": "PC-1", "program": "Tar", "version": -1e999, "ip_address": 123456789012345678901234567890}]`
			resp := api.CallInvalid(t, http.MethodPost, "/client-data", acme.Key, body)
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			var ans pushAnswer
			resp.JSON(t, &ans)
			assert.Equal(t, "partial_success", ans.Status)
			var where []string
			for _, e := range ans.Errors {
				where = append(where, fmt.Sprintf("%d:%s:%s", e.Index, e.Field, e.Message))
			}
			assert.Equal(t, []string{"1:computer_name:must be a string", "2:version:must be a string", "2:ip_address:must be a string"}, where)
			assert.Len(t, list(t, api, acme.Key, nil).Items, 1)
		})

		t.Run("filters, cursor pagination and the program summary", func(t *testing.T) {
			acme := api.NewCompany(t)
			var records []rec
			for i := range 5 {
				records = append(records, record(fmt.Sprintf("PC-%d", i), "Chrome", map[bool]string{true: "119", false: "120"}[i < 2]))
				records = append(records, record(fmt.Sprintf("PC-%d", i), "Zip", "1"))
			}
			push(t, api, acme.Key, "", records)
			var seen []string
			q := url.Values{"limit": {"3"}}
			for pages := 0; ; pages++ {
				require.Less(t, pages, 5)
				page := list(t, api, acme.Key, q)
				for _, it := range page.Items {
					seen = append(seen, it.ComputerName+"/"+it.Program)
				}
				if page.NextCursor == nil {
					break
				}
				q.Set("cursor", *page.NextCursor)
			}
			assert.Len(t, seen, 10)
			old := list(t, api, acme.Key, url.Values{"program": {"chrome"}, "version": {"119"}})
			assert.Len(t, old.Items, 2)
			assert.Len(t, list(t, api, acme.Key, url.Values{"changed_since": {"2000-01-01T00:00:00Z"}}).Items, 10)
			assert.Empty(t, list(t, api, acme.Key, url.Values{"changed_since": {"2999-01-01T00:00:00Z"}}).Items)

			resp := api.Call(t, http.MethodGet, "/client-data/programs", acme.Key, nil)
			require.Equal(t, http.StatusOK, resp.Status)
			var sum struct {
				Programs []struct {
					Program   string `json:"program"`
					Computers int    `json:"computers"`
					Versions  []struct {
						Version   string `json:"version"`
						Computers int    `json:"computers"`
					} `json:"versions"`
				} `json:"programs"`
			}
			resp.JSON(t, &sum)
			require.Len(t, sum.Programs, 2)
			assert.Equal(t, "Chrome", sum.Programs[0].Program)
			assert.Equal(t, 5, sum.Programs[0].Computers)
			require.Len(t, sum.Programs[0].Versions, 2)
			assert.Equal(t, 2, sum.Programs[0].Versions[0].Computers)
			assert.Equal(t, 3, sum.Programs[0].Versions[1].Computers)

			bad := api.CallInvalid(t, http.MethodGet, "/client-data?cursor=garbage", acme.Key, nil)
			assert.Equal(t, http.StatusUnprocessableEntity, bad.Status)

			// A limit outside 1..5000 is refused, naming it, never capped.
			for _, limit := range []string{"0", "5001"} {
				bad = api.CallInvalid(t, http.MethodGet, "/client-data?limit="+limit, acme.Key, nil)
				assert.Equal(t, http.StatusUnprocessableEntity, bad.Status, limit)
				assert.Contains(t, bad.Map(t)["message"], "limit: limit must be", limit)
				bad = api.CallInvalid(t, http.MethodGet, "/client-data/computers/PC-1/history?limit="+limit, acme.Key, nil)
				assert.Equal(t, http.StatusUnprocessableEntity, bad.Status, limit)
			}
		})

		t.Run("another company's key sees nothing and writes nothing of the first's", func(t *testing.T) {
			acme, other := api.NewCompany(t), api.NewCompany(t)
			push(t, api, acme.Key, "", []rec{{"computer_name": "PC-1", "ip_address": "10.0.0.1", "program": "Chrome", "version": "119"}})
			assert.Empty(t, list(t, api, other.Key, nil).Items)
			status, _ := history(t, api, other.Key, "PC-1", "")
			assert.Equal(t, http.StatusNotFound, status)
			push(t, api, other.Key, "?mode=full", []rec{{"computer_name": "pc-1", "ip_address": "10.9.9.9", "program": "Zip", "version": "2"}})
			mine := list(t, api, acme.Key, url.Values{"include_removed": {"true"}})
			require.Len(t, mine.Items, 1)
			assert.Equal(t, "Chrome", mine.Items[0].Program)
			assert.False(t, mine.Items[0].Removed)
			assert.Equal(t, "10.0.0.1", *mine.Items[0].IPAddress)
			theirs := list(t, api, other.Key, nil)
			require.Len(t, theirs.Items, 1)
			assert.Equal(t, "Zip", theirs.Items[0].Program)
		})

		t.Run("Concurrent pushes of overlapping computers in opposite orders both succeed", func(t *testing.T) {
			acme := api.NewCompany(t)
			const computers, programs = 30, 20
			body := func(round int, reverse bool) []byte {
				var records []rec
				for c := range computers {
					if reverse {
						c = computers - 1 - c
					}
					for p := range programs {
						records = append(records, record(fmt.Sprintf("PC-%02d", c), fmt.Sprintf("Program %d", p), fmt.Sprintf("%d.%t", round, reverse)))
					}
				}
				return mustJSON(t, records)
			}
			for round := range 3 {
				var wg sync.WaitGroup
				statuses := make([]int, 2)
				for i, reverse := range []bool{false, true} {
					wg.Add(1)
					go func() {
						defer wg.Done()
						statuses[i] = serve(api.Handler, http.MethodPost, "/client-data", acme.Key, body(round, reverse)).Code
					}()
				}
				wg.Wait()
				assert.Equal(t, []int{http.StatusOK, http.StatusOK}, statuses, "round %d", round)
			}
			page := list(t, api, acme.Key, url.Values{"limit": {"5000"}})
			assert.Len(t, page.Items, computers*programs)
		})
	})
}

// A database failure in the middle of a push stores nothing of it: the
// equipment, installations and history written before the failure are
// rolled back, and the answer is 500.
func TestPushDatabaseFailureStoresNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, target *dbtest.Target) {
		api := apitest.New(t, target)
		acme := api.NewCompany(t)
		push(t, api, acme.Key, "", []rec{record("PC-OLD", "Chrome", "1")})

		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		db, err := database.Open(database.Config{URL: target.URL}, log)
		require.NoError(t, err)
		t.Cleanup(func() {
			_ = database.Close(db)
		})
		// The update of the software digests, the last statement of a push
		// (after the installations and their history), fails.
		require.NoError(t, db.Callback().Raw().Before("gorm:raw").Register("test:fail_digests", func(tx *gorm.DB) {
			if strings.Contains(tx.Statement.SQL.String(), "UPDATE equipment SET software_digest") {
				_ = tx.AddError(errors.New("forced failure"))
			}
		}))
		failing := &dbtest.Target{Backend: target.Backend, URL: target.URL, DB: db, Store: gormstore.New(db)}
		engine := httpapi.NewEngine(httpapi.Config{}, log, apitest.Services(failing, log))

		body := mustJSON(t, []rec{record("PC-OLD", "Chrome", "2"), record("PC-NEW", "Zip", "1")})
		resp := serve(engine, http.MethodPost, "/client-data", acme.Key, body)
		require.Equal(t, http.StatusInternalServerError, resp.Code, "%s", resp.Body)
		assert.Contains(t, resp.Body.String(), `"status":"error"`)
		assert.NotContains(t, strings.ToLower(resp.Body.String()), "forced")

		page := list(t, api, acme.Key, nil)
		require.Len(t, page.Items, 1)
		assert.Equal(t, "1", page.Items[0].Version)
		status, old := history(t, api, acme.Key, "PC-OLD", "")
		require.Equal(t, http.StatusOK, status)
		assert.Len(t, old.Events, 1, "the update's history event is not stored")
		status, _ = history(t, api, acme.Key, "PC-NEW", "")
		assert.Equal(t, http.StatusNotFound, status, "the new computer's equipment is not stored")

		// The same request succeeds once the database is healthy again.
		status, _ = push(t, api, acme.Key, "", []rec{record("PC-OLD", "Chrome", "2"), record("PC-NEW", "Zip", "1")})
		assert.Equal(t, http.StatusOK, status)
	})
}

func serve(h http.Handler, method, path, key string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequestWithContext(context.Background(), method, path, bytes.NewReader(body))
	req.Header.Set("Authorization", key)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	raw, err := json.Marshal(v)
	require.NoError(t, err)
	return raw
}

// Both decoding paths (the fast typed one, and the untyped one taken when a
// value has a wrong type) reject the same records the same way.
func TestPushRejectsNullRecordsOnBothDecodingPaths(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		acme := api.NewCompany(t)
		for _, body := range []string{
			`[null, {"computer_name": "PC", "program": "P", "version": "1"}]`,
			`[null, {"computer_name": "PC", "program": "P", "version": "1"}, {"computer_name": 1}]`,
		} {
			resp := api.CallInvalid(t, http.MethodPost, "/client-data", acme.Key, body)
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			var ans pushAnswer
			resp.JSON(t, &ans)
			require.NotEmpty(t, ans.Errors)
			assert.Equal(t, 0, ans.Errors[0].Index)
			assert.Equal(t, "", ans.Errors[0].Field)
			assert.Equal(t, "must be an object", ans.Errors[0].Message)
		}
	})
}
