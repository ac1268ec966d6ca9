package multinode

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parc-hq/parc/test/apitest"
)

// The licence race: a project of 20 licences, callers each asking for 1–3
// new active accounts at once through every instance. Every call is
// answered 200 and exactly 20 accounts end up active, round after round.
func TestLicencesHoldAcrossInstances(t *testing.T) {
	eachDeployment(t, func(t *testing.T, p parc) {
		t.Run("Concurrent bulk calls through every instance never activate more accounts than licences", func(t *testing.T) {
			const licences = 20
			callers, rounds := scaled(100, 30), scaled(10, 3)
			failed, oversold, most := 0, 0, 0
			for round := range rounds {
				company := p.node(round).NewCompany(t)
				project := newProject(t, p.node(round), "LIC", licences, company)
				var answers []answer
				p.countAborts(t, func() {
					answers = race(p, callers, func(i int, api *apitest.API) answer {
						var items []any
						for k := range 1 + i%3 {
							login := fmt.Sprintf("r%d-c%03d-%d", round, i, k)
							items = append(items, map[string]any{"login": login, "email": login + "@example.com", "name": login, "status": "active"})
						}
						return send(api, http.MethodPost, "/v1/Accounts/"+project, company.Key, items)
					})
				})
				failed += notOK(t, answers, "bulk call")
				resp := p.node(round+1).Call(t, http.MethodGet, "/v1/Accounts/"+project+"?status=active", company.Key, nil)
				require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
				active, err := strconv.Atoi(resp.Header.Get("X-Total-Count"))
				require.NoError(t, err)
				if active > licences {
					oversold++
				}
				most = max(most, active)
				assert.Equal(t, licences, active, "round %d: active accounts", round)
			}
			t.Logf("licences: %d of %d rounds oversold (at most %d active of %d); %d of %d calls not 200", oversold, rounds, most, licences, failed, rounds*callers)
			assert.Zero(t, oversold, "rounds with more active accounts than licences")
			assert.Zero(t, failed, "calls not answered 200")
		})
	})
}

// Shared-row writes: writers each add their own field to the same rows at
// once, half by RelationalDataSet, half row by row (PUT), through every
// instance. No field is lost.
func TestDataSetWritesLoseNothingAcrossInstances(t *testing.T) {
	eachDeployment(t, func(t *testing.T, p parc) {
		t.Run("Concurrent writers of shared rows through every instance lose no field", func(t *testing.T) {
			const rowCount = 5
			writers := scaled(30, 9)
			owner, member := p.node(0).NewCompany(t), p.node(1).NewCompany(t)
			project := newProject(t, p.node(0), "DATA", 5, owner, member)
			path := "/v1/Data/" + project + "/"
			var seed []any
			for r := range rowCount {
				seed = append(seed, map[string]any{"row_ID": fmt.Sprintf("R%d", r)})
			}
			resp := p.node(0).Call(t, http.MethodPost, path+"RelationalDataSet", member.Key, map[string]any{"data": map[string]any{"row": seed}})
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)

			var answers []answer
			p.countAborts(t, func() {
				answers = race(p, writers, func(w int, api *apitest.API) answer {
					field := fmt.Sprintf("f%02d", w)
					if w%2 == 0 {
						var items []any
						for r := range rowCount {
							items = append(items, map[string]any{"row_ID": fmt.Sprintf("R%d", (r+w)%rowCount), field: w})
						}
						return send(api, http.MethodPost, path+"RelationalDataSet", member.Key, map[string]any{"data": map[string]any{"row": items}})
					}
					for r := range rowCount {
						a := send(api, http.MethodPut, path+fmt.Sprintf("row/R%d", (r+w)%rowCount), member.Key, map[string]any{field: w})
						if a.Status != http.StatusOK {
							return a
						}
					}
					return answer{Status: http.StatusOK}
				})
			})
			failed := notOK(t, answers, "writer")
			for i := range p.nodes {
				resp := p.node(i).Call(t, http.MethodGet, path+"row", member.Key, nil)
				require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
				var rows []map[string]any
				resp.JSON(t, &rows)
				require.Len(t, rows, rowCount)
				lost := 0
				for _, row := range rows {
					for w := range writers {
						if row[fmt.Sprintf("f%02d", w)] == nil && answers[w].Status == http.StatusOK {
							lost++
						}
					}
				}
				t.Logf("data sets, read through instance %d: %d of %d acknowledged field updates lost; %d of %d writers not 200", i, lost, writers*rowCount, failed, writers)
				assert.Zero(t, lost, "acknowledged field updates lost")
			}
			assert.Zero(t, failed, "writers not answered 200")
		})
	})
}

// Writes racing SrvExport: an exporter marks rows exported as of the
// srvDateUTC it read while writers change those rows, through other
// instances. A write always has the last word: either it came after the
// export (and reset srvExport) or the export found the row changed. No row
// ends exported although changed, and srvDateUTC only moves forward.
func TestExportNeverHidesAChangeAcrossInstances(t *testing.T) {
	eachDeployment(t, func(t *testing.T, p parc) {
		t.Run("Concurrent writes racing SrvExport through every instance never leave a changed row exported", func(t *testing.T) {
			rowCount, exporters, rounds := scaled(40, 12), 3, scaled(6, 2)
			owner, member := p.node(0).NewCompany(t), p.node(1).NewCompany(t)
			failed, exported, backwards := 0, 0, 0
			for round := range rounds {
				project := newProject(t, p.node(round), "EXP", 5, owner, member)
				path := "/v1/Data/" + project + "/"
				var seed []any
				for r := range rowCount {
					seed = append(seed, map[string]any{"item_ID": fmt.Sprintf("I%02d", r), "v": 0})
				}
				resp := p.node(round).Call(t, http.MethodPost, path+"RelationalDataSet", member.Key, map[string]any{"data": map[string]any{"item": seed}})
				require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
				before := itemDates(t, p.node(round+1), path, member.Key)
				var asked []any
				for code, date := range before {
					asked = append(asked, map[string]any{"rowCode": code, "srvDateUTC": date})
				}
				var answers []answer
				p.countAborts(t, func() {
					answers = race(p, rowCount+exporters, func(i int, api *apitest.API) answer {
						if i < rowCount {
							return send(api, http.MethodPut, path+fmt.Sprintf("item/I%02d", i), member.Key, map[string]any{"v": 1})
						}
						return send(api, http.MethodPost, path+"SrvExport", member.Key, map[string]any{"entityName": "item", "srvExport": 1, "rows": asked})
					})
				})
				failed += notOK(t, answers, "write or export")
				resp = p.node(round+2).Call(t, http.MethodGet, path+"item?limit=1000", member.Key, nil)
				require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
				var rows []map[string]any
				resp.JSON(t, &rows)
				require.Len(t, rows, rowCount)
				for _, row := range rows {
					code := row["item_ID"].(string)
					if row["srvExport"] != float64(0) {
						exported++
					}
					if row["srvDateUTC"].(string) <= before[code] {
						backwards++
					}
				}
			}
			t.Logf("SrvExport: %d of %d rows exported although changed; srvDateUTC did not move forward on %d; %d of %d calls not 200",
				exported, rounds*rowCount, backwards, failed, rounds*(rowCount+exporters))
			assert.Zero(t, exported, "rows exported although changed")
			assert.Zero(t, backwards, "rows whose srvDateUTC did not move forward")
			assert.Zero(t, failed, "calls not answered 200")
		})
	})
}

// itemDates reads the srvDateUTC of every item row.
func itemDates(t *testing.T, api *apitest.API, path, key string) map[string]string {
	t.Helper()
	resp := api.Call(t, http.MethodGet, path+"item?limit=1000", key, nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	var rows []map[string]any
	resp.JSON(t, &rows)
	out := map[string]string{}
	for _, r := range rows {
		out[r["item_ID"].(string)] = r["srvDateUTC"].(string)
	}
	return out
}

// Overlapping inventory pushes: each push names 8 of 12 computers with a
// version of its own, all at once through every instance. Every computer's
// history then holds one event per acknowledged push, each from the version
// the one before it left: every acknowledged version is present and no two
// events come from one old version.
func TestInventoryHistoryStaysWholeAcrossInstances(t *testing.T) {
	eachDeployment(t, func(t *testing.T, p parc) {
		t.Run("Concurrent overlapping pushes through every instance keep every history whole", func(t *testing.T) {
			const computers, perPush = 12, 8
			pushes, rounds := scaled(30, 9), scaled(5, 2)
			failed, broken, brokenRounds := 0, 0, 0
			for round := range rounds {
				company := p.node(round).NewCompany(t)
				named := func(i int) []string {
					var out []string
					for k := range perPush {
						out = append(out, fmt.Sprintf("pc-%02d", (i*5+k)%computers))
					}
					return out
				}
				var answers []answer
				p.countAborts(t, func() {
					answers = race(p, pushes, func(i int, api *apitest.API) answer {
						var records []any
						for _, c := range named(i) {
							records = append(records, map[string]any{"computer_name": c, "program": "Agent", "version": fmt.Sprintf("v%03d", i)})
						}
						return send(api, http.MethodPost, "/client-data", company.Key, records)
					})
				})
				failed += notOK(t, answers, "push")
				acked := map[string][]string{}
				for i := range pushes {
					if answers[i].Status != http.StatusOK {
						continue
					}
					for _, c := range named(i) {
						acked[c] = append(acked[c], fmt.Sprintf("v%03d", i))
					}
				}
				before := broken
				for c, versions := range acked {
					if problem := checkHistory(t, p.node(round+1), company.Key, c, versions); problem != "" {
						t.Logf("round %d: %s", round, problem)
						broken++
					}
				}
				if broken > before {
					brokenRounds++
				}
			}
			t.Logf("inventory: history broken in %d of %d rounds (%d computers); %d of %d pushes not 200", brokenRounds, rounds, broken, failed, rounds*pushes)
			assert.Zero(t, broken, "broken histories")
			assert.Zero(t, failed, "pushes not answered 200")
		})
	})
}

type historyEvent struct {
	Program     string  `json:"program"`
	Event       string  `json:"event"`
	FromVersion *string `json:"from_version"`
	ToVersion   *string `json:"to_version"`
}

// checkHistory reads a computer's whole history and checks it is one chain
// through exactly the acknowledged versions; it describes the first problem
// found, or returns "".
func checkHistory(t *testing.T, api *apitest.API, key, computer string, acked []string) string {
	t.Helper()
	var events []historyEvent
	cursor := ""
	for {
		q := url.Values{"limit": {"100"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		resp := api.Call(t, http.MethodGet, "/client-data/computers/"+computer+"/history?"+q.Encode(), key, nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		var page struct {
			Events     []historyEvent `json:"events"`
			NextCursor *string        `json:"next_cursor"`
		}
		resp.JSON(t, &page)
		events = append(events, page.Events...)
		if page.NextCursor == nil {
			break
		}
		cursor = *page.NextCursor
	}
	if len(events) == 0 || events[0].Event != "installed" {
		return computer + ": the history does not start with the installation"
	}
	var seen []string
	from := map[string]bool{}
	prev := ""
	for i, e := range events {
		switch {
		case e.ToVersion == nil:
			return fmt.Sprintf("%s: event %d has no version", computer, i)
		case i == 0:
		case e.Event != "updated" || e.FromVersion == nil:
			return fmt.Sprintf("%s: event %d is %s from %v", computer, i, e.Event, e.FromVersion)
		case from[*e.FromVersion]:
			return fmt.Sprintf("%s: two events from version %s", computer, *e.FromVersion)
		case *e.FromVersion != prev:
			return fmt.Sprintf("%s: event %d starts from %s, the one before ended at %s", computer, i, *e.FromVersion, prev)
		}
		if i > 0 {
			from[*e.FromVersion] = true
		}
		prev = *e.ToVersion
		seen = append(seen, prev)
	}
	slices.Sort(seen)
	want := slices.Clone(acked)
	slices.Sort(want)
	if !slices.Equal(want, seen) {
		return fmt.Sprintf("%s: %d events for %d acknowledged versions (%v, want %v)", computer, len(seen), len(want), seen, want)
	}
	return ""
}

// Read your writes: a write acknowledged through one instance is seen at
// once through the next, for data-set rows and for installations.
func TestReadYourWritesAcrossInstances(t *testing.T) {
	eachDeployment(t, func(t *testing.T, p parc) {
		tries := scaled(100, 30)
		owner, member := p.node(0).NewCompany(t), p.node(1).NewCompany(t)
		project := newProject(t, p.node(0), "RYW", 5, owner, member)
		path := "/v1/Data/" + project + "/note/"
		staleRows, staleInstallations := 0, 0
		for i := range tries {
			code := fmt.Sprintf("N%03d", i)
			resp := p.node(i).Call(t, http.MethodPost, "/v1/Data/"+project+"/note", member.Key, map[string]any{"note_ID": code, "text": "first"})
			require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
			resp = p.node(i).Call(t, http.MethodPut, path+code, member.Key, map[string]any{"text": "second"})
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			resp = p.node(i+1).Call(t, http.MethodGet, path+code, member.Key, nil)
			if resp.Status != http.StatusOK || resp.Map(t)["text"] != "second" {
				staleRows++
			}

			computer := fmt.Sprintf("ryw-%03d", i)
			resp = p.node(i).Call(t, http.MethodPost, "/client-data", owner.Key, []any{map[string]any{"computer_name": computer, "program": "Agent", "version": "1"}})
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			resp = p.node(i+1).Call(t, http.MethodGet, "/client-data?computer_name="+computer, owner.Key, nil)
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			var page struct {
				Items []map[string]any `json:"items"`
			}
			resp.JSON(t, &page)
			if len(page.Items) != 1 {
				staleInstallations++
			}
		}
		t.Logf("read your writes: %d of %d data-set reads stale, %d of %d installation reads stale", staleRows, tries, staleInstallations, tries)
		assert.Zero(t, staleRows, "stale data-set reads of %d", tries)
		assert.Zero(t, staleInstallations, "stale installation reads of %d", tries)
	})
}

// On a Galera cluster every Parc session waits for causality before it
// reads (wsrep_sync_wait=1); on a single MariaDB server Parc leaves the
// setting alone.
func TestGaleraSessionsReadTheirWrites(t *testing.T) {
	eachDeployment(t, func(t *testing.T, p parc) {
		for _, target := range p.targets {
			if target.Backend != "galera" && target.Backend != "mysql" {
				continue
			}
			var value int
			require.NoError(t, target.DB.Raw("SELECT @@SESSION.wsrep_sync_wait").Scan(&value).Error)
			assert.Equal(t, map[string]int{"galera": 1, "mysql": 0}[target.Backend], value, "%s", target.URL)
		}
	})
}

// The changed-since race: single-row writers of one entity create, change
// and delete rows through every instance while an integration, through
// another instance, reads "changed since the last date I read" over and
// over. Writers take their dates before they commit and commit in any
// order; every row's last version must still reach the reader.
func TestChangedSinceReaderMissesNoRowAcrossInstances(t *testing.T) {
	eachDeployment(t, func(t *testing.T, p parc) {
		t.Run("Concurrent single-row writers through every instance and a changed-since reader miss no row", func(t *testing.T) {
			writers, perWriter := scaled(8, 4), scaled(30, 15)
			owner, member := p.node(0).NewCompany(t), p.node(1).NewCompany(t)
			project := newProject(t, p.node(0), "SINCE", 5, owner, member)
			path := "/v1/Data/" + project + "/"
			done := make(chan []answer)
			go func() {
				done <- race(p, writers, func(w int, api *apitest.API) answer {
					for i := range perWriter {
						code := fmt.Sprintf("W%d-%03d", w, i)
						a := send(api, http.MethodPost, path+"job", member.Key, map[string]any{"job_ID": code, "step": 0})
						if a.Status == http.StatusOK || a.Status == http.StatusCreated {
							if i%3 == 2 {
								a = send(api, http.MethodPut, path+fmt.Sprintf("job/W%d-%03d", w, i-2), member.Key, map[string]any{"step": i})
								if a.Status == http.StatusOK {
									a = send(api, http.MethodDelete, path+fmt.Sprintf("job/W%d-%03d", w, i-1), member.Key, nil)
								}
							}
						}
						if a.Status != http.StatusOK && a.Status != http.StatusCreated {
							return a
						}
					}
					return answer{Status: http.StatusOK}
				})
			}()
			reader := p.node(len(p.nodes) - 1)
			seen := map[string]bool{}
			since, reads := "2000-01-01T00:00:00.000000Z", 0
			read := func() {
				a := send(reader, http.MethodPost, path+"Select", member.Key, map[string]any{"entityName": "job", "limit": 10000,
					"filterFields": []any{map[string]any{"fieldName": "srvDateUTC", "operator": "GreaterThan", "filterValues": []any{since}}}})
				require.Equal(t, http.StatusOK, a.Status, "%s", a.Body)
				var rows []map[string]any
				require.NoError(t, json.Unmarshal(a.Body, &rows))
				for _, r := range rows {
					date := fmt.Sprint(r["srvDateUTC"])
					seen[fmt.Sprint(r["job_ID"])+" "+date] = true
					since = max(since, date)
				}
				reads++
			}
			var answers []answer
			for answers == nil {
				select {
				case answers = <-done:
				default:
					read()
				}
			}
			require.Zero(t, notOK(t, answers, "writer"), "writers answered other than 200")
			read()
			a := send(reader, http.MethodPost, path+"Select", member.Key, map[string]any{"entityName": "job", "limit": 10000})
			require.Equal(t, http.StatusOK, a.Status, "%s", a.Body)
			var final []map[string]any
			require.NoError(t, json.Unmarshal(a.Body, &final))
			require.Len(t, final, writers*perWriter)
			missed := 0
			for _, r := range final {
				if !seen[fmt.Sprint(r["job_ID"])+" "+fmt.Sprint(r["srvDateUTC"])] {
					missed++
				}
			}
			require.Zero(t, missed, "rows whose last version the reader never saw, over %d reads", reads)
		})
	})
}
