package contract

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/dataset"
	"github.com/parc-hq/parc/ports"
)

// DataSetRepos are the ports the data-set suite checks.
type DataSetRepos struct {
	Rows     ports.DataSetRepository
	Projects ProjectRepos
	Tx       ports.Transactor
}

// newScopes stores a project of two companies and returns a scope for each.
// errRolledBack ends a transaction a test chose to roll back.
var errRolledBack = errors.New("rolled back")

func newScopes(t *testing.T, r DataSetRepos) (a, b ports.DataScope) {
	p := NewProject(t, r.Projects, 1, 2)
	m := p.Members()
	return ports.DataScope{ProjectID: p.ID(), CompanyID: m[0]}, ports.DataScope{ProjectID: p.ID(), CompanyID: m[1]}
}

// testRow builds a row of entity with fields given as name → JSON value.
func testRow(entity string, code string, date time.Time, fields map[string]string) dataset.Row {
	e := dataset.RestoreEntityName(entity)
	f := dataset.Fields{e.IDField(): {Name: entity + "_ID", Value: json.RawMessage(fmt.Sprintf("%q", code))}}
	for name, v := range fields {
		fn, err := dataset.ParseFieldName(name)
		if err != nil {
			panic(err)
		}
		f[fn.Key()] = dataset.Field{Name: name, Value: json.RawMessage(v)}
	}
	return dataset.RestoreRow(dataset.RowRecord{Entity: e, Code: dataset.RestoreRowCode(code), Fields: f, SrvDate: date, SrvAttrib: dataset.Live})
}

func save(t *testing.T, r DataSetRepos, scope ports.DataScope, rows ...dataset.Row) {
	t.Helper()
	require.NoError(t, r.Tx.Within(context.Background(), func(ctx context.Context) error {
		return r.Rows.SaveRows(ctx, scope, rows)
	}))
}

func find(t *testing.T, r DataSetRepos, scope ports.DataScope, in dataset.SelectInput) ([]string, int) {
	t.Helper()
	q, err := dataset.ParseSelect(in)
	require.NoError(t, err)
	rows, total, err := r.Rows.FindRows(context.Background(), scope, q)
	require.NoError(t, err)
	codes := []string{}
	for _, row := range rows {
		codes = append(codes, row.Code().String())
	}
	return codes, total
}

func filter(field, op string, values ...any) dataset.FilterInput {
	f := dataset.FilterInput{FieldName: field, Operator: op}
	for _, v := range values {
		raw, _ := json.Marshal(v)
		f.FilterValues = append(f.FilterValues, raw)
	}
	return f
}

// RunDataSetRepository checks data-set rows: round trips exact to the
// microsecond, reservations, queries with the same results on every backend,
// export status, and isolation of scopes.
func RunDataSetRepository(t *testing.T, newRepos func(t *testing.T) DataSetRepos) {
	ctx := context.Background()
	base := time.Date(2025, 11, 6, 16, 55, 1, 544123000, time.UTC)

	t.Run("round trip keeps fields, spellings and srvDateUTC to the microsecond", func(t *testing.T) {
		r := newRepos(t)
		a, _ := newScopes(t, r)
		row := testRow("customerContact", "C1", base, map[string]string{"Name": `"Ann"`, "age": `42`, "tags": `["x",{"y":null}]`, "ok": `true`})
		save(t, r, a, row)
		got, err := r.Rows.Rows(ctx, a, []dataset.RowKey{row.Key()})
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, "customerContact", got[0].Entity().Display())
		assert.Equal(t, dataset.FormatSrvDate(base), dataset.FormatSrvDate(got[0].SrvDate()))
		assert.True(t, base.Equal(got[0].SrvDate()))
		f, ok := got[0].Fields().Get("NAME")
		require.True(t, ok)
		assert.Equal(t, "Name", f.Name)
		assert.JSONEq(t, `"Ann"`, string(f.Value))
		tags, _ := got[0].Fields().Get("tags")
		assert.JSONEq(t, `["x",{"y":null}]`, string(tags.Value))
		id, _ := got[0].Fields().Get("customercontact_id")
		assert.Equal(t, "customerContact_ID", id.Name)
	})

	t.Run("a code written twice in one call keeps the last", func(t *testing.T) {
		r := newRepos(t)
		a, _ := newScopes(t, r)
		first := testRow("customer", "TWICE", base, map[string]string{"name": `"first"`})
		last := testRow("customer", "TWICE", base.Add(time.Microsecond), map[string]string{"name": `"last"`})
		filler := testRow("customer", "OTHER", base, nil)
		save(t, r, a, first, filler, last)
		got, err := r.Rows.Rows(ctx, a, []dataset.RowKey{first.Key()})
		require.NoError(t, err)
		require.Len(t, got, 1)
		name, _ := got[0].Fields().Get("name")
		assert.JSONEq(t, `"last"`, string(name.Value))
	})

	t.Run("a rolled back write stores nothing", func(t *testing.T) {
		r := newRepos(t)
		a, _ := newScopes(t, r)
		boom := errors.New("boom")
		err := r.Tx.Within(ctx, func(ctx context.Context) error {
			require.NoError(t, r.Rows.SaveRows(ctx, a, []dataset.Row{testRow("customer", "R1", base, nil)}))
			return boom
		})
		require.ErrorIs(t, err, boom)
		codes, total := find(t, r, a, dataset.SelectInput{EntityName: "customer"})
		assert.Empty(t, codes)
		assert.Zero(t, total)
	})

	t.Run("inserting a stored code is a lost race, whichever statement reports it", func(t *testing.T) {
		r := newRepos(t)
		a, _ := newScopes(t, r)
		stored := testRow("customer", "TAKEN", base, map[string]string{"name": `"stored"`})
		save(t, r, a, stored)
		fresh := testRow("customer", "FRESH", base, nil)
		taken := testRow("customer", "TAKEN", base.Add(time.Second), map[string]string{"name": `"second"`})
		for name, rows := range map[string][]dataset.Row{"one row": {taken}, "several rows": {fresh, taken}} {
			err := r.Tx.Within(ctx, func(ctx context.Context) error {
				// A read first, so that the insert is not the transaction's
				// first statement: a backend may hold a last insert back
				// until COMMIT, which then reports its duplicate key.
				if _, err := r.Rows.Rows(ctx, a, []dataset.RowKey{fresh.Key()}); err != nil {
					return err
				}
				return r.Rows.InsertRows(ctx, a, rows)
			})
			require.ErrorIs(t, err, ports.ErrRowRaced, name)
			require.ErrorIs(t, err, domain.ErrConflict, name)
			codes, _ := find(t, r, a, dataset.SelectInput{EntityName: "customer"})
			assert.Equal(t, []string{"TAKEN"}, codes, "%s: nothing of the failed transaction is kept", name)
		}
		got, err := r.Rows.Rows(ctx, a, []dataset.RowKey{stored.Key()})
		require.NoError(t, err)
		require.Len(t, got, 1)
		name, _ := got[0].Fields().Get("name")
		assert.JSONEq(t, `"stored"`, string(name.Value))
	})

	t.Run("locking rows outside a transaction is refused", func(t *testing.T) {
		r := newRepos(t)
		a, _ := newScopes(t, r)
		_, err := r.Rows.LockRows(ctx, a, []dataset.RowKey{{Entity: "x", Code: dataset.RestoreRowCode("1")}})
		assert.Error(t, err)
	})

	t.Run("a write in flight holds changed-since readers back to its date until it ends", func(t *testing.T) {
		r := newRepos(t)
		a, b := newScopes(t, r)
		now := time.Now().UTC().Truncate(time.Microsecond)
		settled := func(scope ports.DataScope) time.Time {
			got, err := r.Rows.SettledBefore(ctx, scope, now)
			require.NoError(t, err)
			return got
		}
		idle := settled(a)
		if idle.IsZero() {
			t.Skip("this backend serialises its writers: no bound needed")
		}
		assert.True(t, now.Equal(idle), "no write in flight: bound %v, want now %v", idle, now)
		// Each write holds its transaction open until told how to end.
		hold := func(w ports.DataWrite) (end func(commit bool)) {
			held, decide, done := make(chan error, 1), make(chan bool), make(chan error, 1)
			go func() {
				done <- r.Tx.Within(ctx, func(ctx context.Context) error {
					err := r.Rows.HoldWrite(ctx, w)
					held <- err
					if err != nil {
						return err
					}
					if <-decide {
						return r.Rows.EndWrite(ctx, w)
					}
					return errRolledBack
				})
			}()
			require.NoError(t, <-held)
			return func(commit bool) {
				decide <- commit
				err := <-done
				if commit {
					require.NoError(t, err)
					return
				}
				require.ErrorIs(t, err, errRolledBack)
				require.NoError(t, r.Rows.AbandonWrite(ctx, w))
			}
		}
		committed, err := r.Rows.AnnounceWrite(ctx, a, now.Add(-2*time.Second))
		require.NoError(t, err)
		endCommitted := hold(committed)
		failed, err := r.Rows.AnnounceWrite(ctx, a, now.Add(-time.Second))
		require.NoError(t, err)
		endFailed := hold(failed)
		assert.True(t, now.Add(-2*time.Second).Equal(settled(a)), "the oldest write in flight bounds its scope")
		assert.True(t, now.Equal(settled(b)), "and no other scope")
		endCommitted(true)
		assert.True(t, now.Add(-time.Second).Equal(settled(a)), "a committed write no longer bounds")
		endFailed(false)
		assert.True(t, now.Equal(settled(a)))
		_, err = r.Rows.AnnounceWrite(ctx, a, now.Add(-time.Hour))
		require.NoError(t, err)
		assert.True(t, now.Equal(settled(a)), "a write left behind by a dead process is ignored once it is older than any write lasts")
	})

	t.Run("Concurrent read-modify-write under row locks loses no update", func(t *testing.T) {
		r := newRepos(t)
		a, _ := newScopes(t, r)
		const workers, rounds = 6, 5
		key := dataset.RowKey{Entity: "counter", Code: dataset.RestoreRowCode("C")}
		other := dataset.RowKey{Entity: "other", Code: dataset.RestoreRowCode("C")}
		// Locks hold rows that exist: creators race on the insert instead
		// (InsertRows' ErrRowRaced), which is not what this test is about.
		save(t, r, a, testRow("counter", "C", base, map[string]string{"n": "0"}), testRow("other", "C", base, nil))
		var wg sync.WaitGroup
		errs := make(chan error, workers*rounds)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range rounds {
					errs <- r.Tx.Within(ctx, func(ctx context.Context) error {
						keys := []dataset.RowKey{key, other}
						if w%2 == 1 {
							slices.Reverse(keys) // the lock order does not depend on the caller's
						}
						got, err := r.Rows.LockRows(ctx, a, keys)
						if err != nil {
							return err
						}
						got = slices.DeleteFunc(got, func(r dataset.Row) bool { return r.Key() != key })
						n := 0
						if len(got) == 1 {
							f, _ := got[0].Fields().Get("n")
							if err := json.Unmarshal(f.Value, &n); err != nil {
								return err
							}
						}
						return r.Rows.SaveRows(ctx, a, []dataset.Row{testRow("counter", "C", time.Now(), map[string]string{"n": fmt.Sprint(n + 1)})})
					})
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		got, err := r.Rows.Rows(ctx, a, []dataset.RowKey{key})
		require.NoError(t, err)
		require.Len(t, got, 1)
		f, _ := got[0].Fields().Get("n")
		assert.Equal(t, fmt.Sprint(workers*rounds), string(f.Value))
	})

	t.Run("filters compare text byte-wise, numbers as numbers, dates exactly", func(t *testing.T) {
		r := newRepos(t)
		a, _ := newScopes(t, r)
		save(t, r, a,
			testRow("item", "A", base, map[string]string{"label": `"apple"`, "qty": `9`, "flag": `true`}),
			testRow("item", "B", base.Add(time.Microsecond), map[string]string{"label": `"Apricot"`, "qty": `10`, "flag": `false`}),
			testRow("item", "C", base.Add(2*time.Microsecond), map[string]string{"label": `"banana"`, "qty": `"10"`, "flag": `null`}),
			testRow("item", "D", base.Add(3*time.Microsecond), map[string]string{"label": `"apricot"`, "qty": `2.5`}),
		)
		for _, tc := range []struct {
			name    string
			filters []dataset.FilterInput
			want    []string
		}{
			{"Equal text is case-sensitive", []dataset.FilterInput{filter("LABEL", "Equal", "apple")}, []string{"A"}},
			{"Equal with several values", []dataset.FilterInput{filter("label", "equal", "apple", "banana")}, []string{"A", "C"}},
			{"StartWith is case-sensitive", []dataset.FilterInput{filter("label", "StartWith", "ap")}, []string{"A", "D"}},
			{"StartWith with several values", []dataset.FilterInput{filter("label", "StartWith", "Ap", "ba")}, []string{"B", "C"}},
			{"GreaterThan text byte-wise", []dataset.FilterInput{filter("label", "GreaterThan", "apple")}, []string{"C", "D"}},
			{"numbers compare as numbers", []dataset.FilterInput{filter("qty", "GreaterThanOrEqual", 9)}, []string{"A", "B"}},
			{"LessThan number", []dataset.FilterInput{filter("qty", "LessThan", 9)}, []string{"D"}},
			{"text of a number", []dataset.FilterInput{filter("qty", "Equal", "10")}, []string{"B", "C"}},
			{"booleans as text", []dataset.FilterInput{filter("flag", "Equal", true)}, []string{"A"}},
			{"srvDateUTC GreaterThan", []dataset.FilterInput{filter("srvDateUTC", "GreaterThan", dataset.FormatSrvDate(base.Add(time.Microsecond)))}, []string{"C", "D"}},
			{"srvDateUTC Equal", []dataset.FilterInput{filter("SRVDATEUTC", "Equal", dataset.FormatSrvDate(base))}, []string{"A"}},
			{"filters combine with AND", []dataset.FilterInput{filter("label", "StartWith", "a"), filter("qty", "GreaterThan", 3)}, []string{"A"}},
			{"a missing field matches nothing", []dataset.FilterInput{filter("nothing", "Equal", "x")}, []string{}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				codes, total := find(t, r, a, dataset.SelectInput{EntityName: "ITEM", Filters: tc.filters})
				assert.Equal(t, tc.want, codes)
				assert.Equal(t, len(tc.want), total)
			})
		}
	})

	t.Run("sorts, then srvDateUTC and code; limit, offset and total", func(t *testing.T) {
		r := newRepos(t)
		a, _ := newScopes(t, r)
		save(t, r, a,
			testRow("item", "A", base, map[string]string{"label": `"b"`}),
			testRow("item", "B", base, map[string]string{"label": `"a"`}),
			testRow("item", "C", base.Add(-time.Second), map[string]string{"label": `"b"`}),
			testRow("item", "D", base, map[string]string{}),
		)
		codes, _ := find(t, r, a, dataset.SelectInput{EntityName: "item"})
		assert.Equal(t, []string{"C", "A", "B", "D"}, codes, "default order: srvDateUTC, then code")
		codes, _ = find(t, r, a, dataset.SelectInput{EntityName: "item", Sorts: []dataset.SortInput{{FieldName: "Label"}}})
		assert.Equal(t, []string{"D", "B", "C", "A"}, codes, "no value first, ties by srvDateUTC and code")
		codes, _ = find(t, r, a, dataset.SelectInput{EntityName: "item", Sorts: []dataset.SortInput{{FieldName: "label", Direction: "desc"}}})
		assert.Equal(t, []string{"C", "A", "B", "D"}, codes)
		codes, _ = find(t, r, a, dataset.SelectInput{EntityName: "item", Sorts: []dataset.SortInput{{FieldName: "srvDateUTC", Direction: "DESC"}}})
		assert.Equal(t, []string{"A", "B", "D", "C"}, codes)
		two, one := 2, 1
		codes, total := find(t, r, a, dataset.SelectInput{EntityName: "item", Limit: &two, Offset: &one})
		assert.Equal(t, []string{"A", "B"}, codes)
		assert.Equal(t, 4, total)
	})

	t.Run("srvAttrib and srvExport filter; SetExport leaves srvDateUTC", func(t *testing.T) {
		r := newRepos(t)
		a, _ := newScopes(t, r)
		live := testRow("item", "L", base, nil)
		gone := testRow("item", "G", base, nil).Delete(0, base)
		save(t, r, a, live, gone)
		zero, one := 0, 1
		codes, _ := find(t, r, a, dataset.SelectInput{EntityName: "item", SrvAttrib: &zero})
		assert.Equal(t, []string{"L"}, codes)
		codes, _ = find(t, r, a, dataset.SelectInput{EntityName: "item", SrvAttrib: &one})
		assert.Equal(t, []string{"G"}, codes)
		codes, _ = find(t, r, a, dataset.SelectInput{EntityName: "item"})
		assert.Equal(t, []string{"L", "G"}, codes)

		require.NoError(t, r.Tx.Within(ctx, func(ctx context.Context) error {
			return r.Rows.SetExport(ctx, a, []dataset.Row{live}, 1)
		}))
		codes, _ = find(t, r, a, dataset.SelectInput{EntityName: "item", SrvExport: &one})
		assert.Equal(t, []string{"L"}, codes)
		got, err := r.Rows.Rows(ctx, a, []dataset.RowKey{live.Key()})
		require.NoError(t, err)
		assert.True(t, base.Equal(got[0].SrvDate()))

		// The condition is in the write: a row read before its last change
		// is left alone, and the caller hears of it.
		stale := testRow("item", "L", base.Add(-time.Second), nil)
		require.Error(t, r.Rows.SetExport(ctx, a, []dataset.Row{stale}, 2))
		got, err = r.Rows.Rows(ctx, a, []dataset.RowKey{live.Key()})
		require.NoError(t, err)
		assert.Equal(t, 1, got[0].SrvExport(), "a stale srvDateUTC exports nothing")
	})

	t.Run("companies and projects are isolated", func(t *testing.T) {
		r := newRepos(t)
		a, b := newScopes(t, r)
		other, _ := newScopes(t, r)
		save(t, r, a, testRow("item", "X", base, map[string]string{"who": `"a"`}))
		save(t, r, b, testRow("item", "X", base, map[string]string{"who": `"b"`}))
		for _, s := range []ports.DataScope{a, b} {
			got, err := r.Rows.Rows(ctx, s, []dataset.RowKey{{Entity: "item", Code: dataset.RestoreRowCode("X")}})
			require.NoError(t, err)
			require.Len(t, got, 1)
		}
		codes, _ := find(t, r, other, dataset.SelectInput{EntityName: "item"})
		assert.Empty(t, codes)
		codes, _ = find(t, r, b, dataset.SelectInput{EntityName: "item", Filters: []dataset.FilterInput{filter("who", "Equal", "a")}})
		assert.Empty(t, codes)
	})

	t.Run("trailing spaces make another code and another value", func(t *testing.T) {
		r := newRepos(t)
		a, _ := newScopes(t, r)
		plain := testRow("item", "X", base, map[string]string{"label": `"abc"`})
		spaced := testRow("item", "X ", base.Add(time.Microsecond), map[string]string{"label": `"abc "`})
		save(t, r, a, plain, spaced)
		for _, row := range []dataset.Row{plain, spaced} {
			got, err := r.Rows.Rows(ctx, a, []dataset.RowKey{row.Key()})
			require.NoError(t, err)
			require.Len(t, got, 1, "%q", row.Code())
			assert.Equal(t, row.Code(), got[0].Code())
		}
		codes, _ := find(t, r, a, dataset.SelectInput{EntityName: "item", Filters: []dataset.FilterInput{filter("label", "Equal", "abc")}})
		assert.Equal(t, []string{"X"}, codes)
		codes, _ = find(t, r, a, dataset.SelectInput{EntityName: "item", Filters: []dataset.FilterInput{filter("label", "Equal", "abc ")}})
		assert.Equal(t, []string{"X "}, codes)
		codes, _ = find(t, r, a, dataset.SelectInput{EntityName: "item", Filters: []dataset.FilterInput{filter("label", "StartWith", "abc ")}})
		assert.Equal(t, []string{"X "}, codes)
		codes, _ = find(t, r, a, dataset.SelectInput{EntityName: "item", Filters: []dataset.FilterInput{filter("item_ID", "Equal", "X")}})
		assert.Equal(t, []string{"X"}, codes)

		save(t, r, a, spaced.Delete(0, base.Add(2*time.Microsecond)))
		zero := 0
		codes, _ = find(t, r, a, dataset.SelectInput{EntityName: "item", SrvAttrib: &zero})
		assert.Equal(t, []string{"X"}, codes, "deleting \"X \" leaves \"X\"")
	})

	t.Run("numbers compare as 64-bit floats on every backend", func(t *testing.T) {
		r := newRepos(t)
		a, _ := newScopes(t, r)
		save(t, r, a,
			testRow("item", "A", base, map[string]string{"n": `9007199254740992`}),
			testRow("item", "B", base.Add(time.Microsecond), map[string]string{"n": `9007199254740993`}),
			testRow("item", "C", base.Add(2*time.Microsecond), map[string]string{"n": `1e2`}),
		)
		big := json.RawMessage(`9007199254740993`)
		for _, tc := range []struct {
			op   string
			want []string
		}{{"Equal", []string{"A", "B"}}, {"GreaterThan", []string{}}, {"LessThan", []string{"C"}}} {
			codes, _ := find(t, r, a, dataset.SelectInput{EntityName: "item", Filters: []dataset.FilterInput{{FieldName: "n", Operator: tc.op, FilterValues: []json.RawMessage{big}}}})
			assert.Equal(t, tc.want, codes, "%s 2^53+1", tc.op)
		}
		codes, _ := find(t, r, a, dataset.SelectInput{EntityName: "item", Filters: []dataset.FilterInput{filter("n", "Equal", 100)}})
		assert.Equal(t, []string{"C"}, codes, "1e2 is 100")
	})

	t.Run("many rows in chunks", func(t *testing.T) {
		r := newRepos(t)
		a, _ := newScopes(t, r)
		var rows []dataset.Row
		var keys []dataset.RowKey
		for i := range 6000 {
			row := testRow("bulk", fmt.Sprintf("R%05d", i), base, map[string]string{"n": fmt.Sprint(i)})
			rows = append(rows, row)
			keys = append(keys, row.Key())
		}
		save(t, r, a, rows...)
		got, err := r.Rows.Rows(ctx, a, keys)
		require.NoError(t, err)
		assert.Len(t, got, 6000)
	})

	t.Run("rows whose total passes a statement's packet are written whole", func(t *testing.T) {
		// 30 rows of 700 kB: 21 MB, past MariaDB's 16 MiB max_allowed_packet.
		r := newRepos(t)
		a, _ := newScopes(t, r)
		big := func(n int) string { return fmt.Sprintf("%q", strings.Repeat(fmt.Sprint(n%10), 700_000)) }
		var rows []dataset.Row
		var keys []dataset.RowKey
		for i := range 30 {
			row := testRow("large", fmt.Sprintf("L%02d", i), base, map[string]string{"text": big(i)})
			rows = append(rows, row)
			keys = append(keys, row.Key())
		}
		require.NoError(t, r.Tx.Within(ctx, func(ctx context.Context) error {
			return r.Rows.InsertRows(ctx, a, rows)
		}))
		for i := range rows {
			rows[i] = testRow("large", fmt.Sprintf("L%02d", i), base.Add(time.Second), map[string]string{"text": big(i + 1)})
		}
		save(t, r, a, rows...)
		got, err := r.Rows.Rows(ctx, a, keys)
		require.NoError(t, err)
		require.Len(t, got, 30)
		for _, row := range got {
			text, _ := row.Fields().Get("text")
			n := 0
			fmt.Sscanf(row.Code().String(), "L%d", &n)
			assert.Equal(t, big(n+1), string(text.Value), row.Code().String())
		}
	})
}
