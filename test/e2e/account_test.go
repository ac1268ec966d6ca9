package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parc-hq/parc/test/apitest"
)

type accountResult struct {
	Index           int      `json:"index"`
	Login           string   `json:"login"`
	Action          string   `json:"action"`
	RequestedStatus string   `json:"requested_status"`
	AppliedStatus   string   `json:"applied_status"`
	Reason          string   `json:"reason"`
	Message         string   `json:"message"`
	IgnoredFields   []string `json:"ignored_fields"`
}

type accountBulk struct {
	Licenses  int             `json:"licenses"`
	Used      int             `json:"used"`
	Available int             `json:"available"`
	Results   []accountResult `json:"results"`
}

type accountList struct {
	Licenses  int `json:"licenses"`
	Used      int `json:"used"`
	Available int `json:"available"`
	Accounts  []struct {
		Login       string `json:"login"`
		Email       string `json:"email"`
		Name        string `json:"name"`
		Status      string `json:"status"`
		CompanyCode string `json:"companyCode"`
	} `json:"accounts"`
}

// newAccountsProject creates a project of the given companies (the first
// is the owner) through the admin API and returns its code.
func newAccountsProject(t *testing.T, api *apitest.API, licenses int, companies ...apitest.Company) string {
	t.Helper()
	code := "ACC-" + uuid.NewString()[:8]
	var codes []string
	for _, c := range companies {
		codes = append(codes, c.Code)
	}
	resp := api.Admin(t, http.MethodPost, "/admin/projects", map[string]any{"code": code, "licenses": licenses, "companies": codes, "owner": codes[0]})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	return code
}

func postAccounts(t *testing.T, api *apitest.API, project, key string, items any) accountBulk {
	t.Helper()
	resp := api.Call(t, http.MethodPost, "/v1/Accounts/"+project, key, items)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	var out accountBulk
	resp.JSON(t, &out)
	return out
}

func listAccounts(t *testing.T, api *apitest.API, path, key string) (accountList, string) {
	t.Helper()
	resp := api.Call(t, http.MethodGet, path, key, nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	var out accountList
	resp.JSON(t, &out)
	return out, resp.Header.Get("X-Total-Count")
}

func acct(login, status string) map[string]any {
	return map[string]any{"login": login, "email": login + "@example.com", "name": "User " + login, "status": status}
}

func TestCompanyManagesLicensedAccounts(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		owner, member := api.NewCompany(t), api.NewCompany(t)
		project := newAccountsProject(t, api, 2, owner, member)

		t.Run("active beyond the licences: 200, the extra account is created disabled", func(t *testing.T) {
			out := postAccounts(t, api, project, owner.Key, []any{acct("alice", "active"), acct("bob", "active"), acct("carol", "active")})
			assert.Equal(t, accountBulk{Licenses: 2, Used: 2, Available: 0, Results: []accountResult{
				{Index: 0, Login: "alice", Action: "created", RequestedStatus: "active", AppliedStatus: "active"},
				{Index: 1, Login: "bob", Action: "created", RequestedStatus: "active", AppliedStatus: "active"},
				{Index: 2, Login: "carol", Action: "created", RequestedStatus: "active", AppliedStatus: "disabled",
					Reason: "no_license_available", Message: out.Results[2].Message},
			}}, out)
			assert.NotEmpty(t, out.Results[2].Message)
		})

		t.Run("one call frees a licence and takes it, whatever the order given", func(t *testing.T) {
			out := postAccounts(t, api, project, owner.Key, []any{acct("carol", "active"), acct("alice", "disabled")})
			assert.Equal(t, "updated", out.Results[0].Action)
			assert.Equal(t, "active", out.Results[0].AppliedStatus)
			assert.Equal(t, "updated", out.Results[1].Action)
			assert.Equal(t, "disabled", out.Results[1].AppliedStatus)
			assert.Equal(t, 2, out.Used)
		})

		t.Run("a known login changes only its status; other fields are ignored and said so", func(t *testing.T) {
			out := postAccounts(t, api, project, owner.Key, []any{map[string]any{"login": "BOB", "email": "new@example.com", "name": "Renamed", "status": "locked"}})
			r := out.Results[0]
			assert.Equal(t, "updated", r.Action)
			assert.Equal(t, "locked", r.AppliedStatus)
			assert.ElementsMatch(t, []string{"login", "email", "name"}, r.IgnoredFields)
			assert.Equal(t, 1, out.Used)

			list, _ := listAccounts(t, api, "/v1/Accounts/"+project+"?status=locked", owner.Key)
			require.Len(t, list.Accounts, 1)
			assert.Equal(t, "bob", list.Accounts[0].Login)
			assert.Equal(t, "bob@example.com", list.Accounts[0].Email)
			assert.Equal(t, "User bob", list.Accounts[0].Name)

			again := postAccounts(t, api, project, owner.Key, []any{acct("bob", "locked")})
			assert.Equal(t, "unchanged", again.Results[0].Action)
		})

		t.Run("bad items are rejected by index, the others are stored", func(t *testing.T) {
			// A login of the wrong type is off-contract on purpose.
			resp := api.CallInvalid(t, http.MethodPost, "/v1/Accounts/"+project, owner.Key, []any{
				map[string]any{"login": "", "status": "active"},
				map[string]any{"login": "dan", "status": "asleep"},
				map[string]any{"login": 42, "status": "disabled"},
				acct("erin", "disabled"),
				acct("Erin", "disabled"),
				map[string]any{"login": "frank", "email": "not-an-address", "status": "disabled"},
			})
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			var out accountBulk
			resp.JSON(t, &out)
			var got []string
			for _, r := range out.Results {
				got = append(got, r.Action+"/"+r.Reason)
			}
			assert.Equal(t, []string{"rejected/invalid", "rejected/invalid", "rejected/invalid", "created/", "rejected/duplicate_login", "rejected/invalid"}, got)
			assert.Contains(t, out.Results[1].Message, "status")
			assert.Contains(t, out.Results[4].Message, "index 3")
			assert.Empty(t, out.Results[1].AppliedStatus)
		})

		t.Run("list: licences, filters, pages with X-Total-Count", func(t *testing.T) {
			list, total := listAccounts(t, api, "/v1/Accounts/"+project, owner.Key)
			assert.Equal(t, "4", total)
			assert.Equal(t, 2, list.Licenses)
			assert.Equal(t, 1, list.Used)
			assert.Equal(t, 1, list.Available)
			var logins []string
			for _, a := range list.Accounts {
				logins = append(logins, a.Login)
				assert.Equal(t, owner.Code, a.CompanyCode)
			}
			assert.Equal(t, []string{"alice", "bob", "carol", "erin"}, logins)

			page, total := listAccounts(t, api, "/v1/Accounts/"+project+"?limit=2&offset=1", owner.Key)
			assert.Equal(t, "4", total)
			require.Len(t, page.Accounts, 2)
			assert.Equal(t, "bob", page.Accounts[0].Login)

			disabled, total := listAccounts(t, api, "/v1/Accounts/"+project+"?status=disabled", owner.Key)
			assert.Equal(t, "2", total)
			assert.Len(t, disabled.Accounts, 2)
		})

		t.Run("list with a bad filter: 422", func(t *testing.T) {
			resp := api.CallInvalid(t, http.MethodGet, "/v1/Accounts/"+project+"?status=asleep&limit=0", owner.Key, nil)
			require.Equal(t, http.StatusUnprocessableEntity, resp.Status)
			assert.Contains(t, string(resp.Body), `"path":"status"`)
			assert.Contains(t, string(resp.Body), `"path":"limit"`)
		})

		t.Run("the owner acts for a member company; a login is unique in the project", func(t *testing.T) {
			item := acct("gina", "active")
			item["companyCode"] = member.Code
			out := postAccounts(t, api, project, owner.Key, []any{item})
			assert.Equal(t, "created", out.Results[0].Action)

			clash := postAccounts(t, api, project, member.Key, []any{acct("ALICE", "disabled")})
			assert.Equal(t, "rejected", clash.Results[0].Action)
			assert.Equal(t, "login_taken", clash.Results[0].Reason)
			assert.NotContains(t, clash.Results[0].Message, owner.Code, "the other company is not revealed")

			mine, total := listAccounts(t, api, "/v1/Accounts/"+project, member.Key)
			assert.Equal(t, "1", total)
			assert.Equal(t, "gina", mine.Accounts[0].Login)
			assert.Equal(t, member.Code, mine.Accounts[0].CompanyCode)
			assert.Equal(t, 2, mine.Used, "usage is the project's")

			theirs, _ := listAccounts(t, api, "/v1/Accounts/"+project+"?companyCode="+member.Code, owner.Key)
			assert.Len(t, theirs.Accounts, 1)
		})

		t.Run("a member that is not the owner names another company: 403", func(t *testing.T) {
			item := acct("henry", "active")
			item["companyCode"] = owner.Code
			assert.Equal(t, http.StatusForbidden, api.Call(t, http.MethodPost, "/v1/Accounts/"+project, member.Key, []any{item}).Status)
			assert.Equal(t, http.StatusForbidden, api.Call(t, http.MethodGet, "/v1/Accounts/"+project+"?companyCode="+owner.Code, member.Key, nil).Status)
		})

		t.Run("a company outside the project: 403; an unknown project: 404", func(t *testing.T) {
			stranger := api.NewCompany(t)
			assert.Equal(t, http.StatusForbidden, api.Call(t, http.MethodPost, "/v1/Accounts/"+project, stranger.Key, []any{acct("x", "active")}).Status)
			assert.Equal(t, http.StatusForbidden, api.Call(t, http.MethodGet, "/v1/Accounts/"+project, stranger.Key, nil).Status)
			assert.Equal(t, http.StatusNotFound, api.Call(t, http.MethodPost, "/v1/Accounts/NOPE-"+uuid.NewString()[:8], owner.Key, []any{acct("x", "active")}).Status)
			assert.Equal(t, http.StatusNotFound, api.Call(t, http.MethodGet, "/v1/Accounts/NOPE-"+uuid.NewString()[:8], owner.Key, nil).Status)
		})

		t.Run("an unknown project reads the same on accounts and data sets", func(t *testing.T) {
			unknown := "NOPE-" + uuid.NewString()[:8]
			accounts := api.Call(t, http.MethodGet, "/v1/Accounts/"+unknown, owner.Key, nil)
			data := api.Call(t, http.MethodGet, "/v1/Data/"+unknown+"/thing", owner.Key, nil)
			require.Equal(t, http.StatusNotFound, accounts.Status)
			require.Equal(t, http.StatusNotFound, data.Status)
			assert.Equal(t, "project "+unknown+" not found", accounts.Map(t)["message"])
			assert.Equal(t, accounts.Map(t)["message"], data.Map(t)["message"])
		})

		t.Run("malformed JSON: 400; not an array: 422; no key: 401", func(t *testing.T) {
			assert.Equal(t, http.StatusBadRequest, api.CallInvalid(t, http.MethodPost, "/v1/Accounts/"+project, owner.Key, `[{"login":`).Status)
			assert.Equal(t, http.StatusUnprocessableEntity, api.CallInvalid(t, http.MethodPost, "/v1/Accounts/"+project, owner.Key, `{"login":"x"}`).Status)
			for _, body := range []string{`null`, ` null `, `{}`} {
				resp := api.CallInvalid(t, http.MethodPost, "/v1/Accounts/"+project, owner.Key, body)
				require.Equal(t, http.StatusUnprocessableEntity, resp.Status, "%s: %s", body, resp.Body)
				assert.Contains(t, string(resp.Body), "the body must be a JSON array of accounts", body)
			}
			out := postAccounts(t, api, project, owner.Key, []any{})
			assert.Empty(t, out.Results, "an empty array is a valid call")
			assert.Equal(t, http.StatusUnauthorized, api.Call(t, http.MethodGet, "/v1/Accounts/"+project, "", nil).Status)
		})
	})
}

func TestOperatorCannotLowerLicencesBelowActiveAccounts(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		company := api.NewCompany(t)
		project := newAccountsProject(t, api, 10, company)
		var items []any
		for i := range 7 {
			items = append(items, acct(fmt.Sprintf("u%d", i), "active"))
		}
		postAccounts(t, api, project, company.Key, items)

		resp := api.Admin(t, http.MethodPut, "/admin/projects/"+project, map[string]any{"licenses": 5})
		require.Equal(t, http.StatusConflict, resp.Status, "%s", resp.Body)
		assert.Contains(t, resp.Map(t)["message"], fmt.Sprintf("project %s has 7 active accounts: disable 2 before lowering its licences to 5", project))
		assert.NotContains(t, resp.Map(t)["message"], ": conflict", "the status and code say the kind")

		resp = api.Admin(t, http.MethodPut, "/admin/projects/"+project, map[string]any{"licenses": 7})
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		list, _ := listAccounts(t, api, "/v1/Accounts/"+project, company.Key)
		assert.Equal(t, 0, list.Available)

		postAccounts(t, api, project, company.Key, []any{acct("u0", "disabled"), acct("u1", "locked")})
		resp = api.Admin(t, http.MethodPut, "/admin/projects/"+project, map[string]any{"licenses": 5})
		assert.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	})
}

func TestOperatorCannotRemoveAMemberHoldingActiveAccounts(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		owner, member, other := api.NewCompany(t), api.NewCompany(t), api.NewCompany(t)
		project := newAccountsProject(t, api, 10, owner, member, other)
		postAccounts(t, api, project, member.Key, []any{acct("m1", "active"), acct("m2", "active"), acct("m3", "disabled")})
		postAccounts(t, api, project, other.Key, []any{acct("o1", "disabled")})

		resp := api.Admin(t, http.MethodPut, "/admin/projects/"+project, map[string]any{"companies": []string{owner.Code, other.Code}})
		require.Equal(t, http.StatusConflict, resp.Status, "%s", resp.Body)
		assert.Contains(t, resp.Map(t)["message"], fmt.Sprintf("company %s has 2 active accounts in project %s: disable them before removing it", member.Code, project))
		list, _ := listAccounts(t, api, "/v1/Accounts/"+project, member.Key)
		assert.Len(t, list.Accounts, 3, "the member is still in the project")

		// A member without active accounts may go.
		resp = api.Admin(t, http.MethodPut, "/admin/projects/"+project, map[string]any{"companies": []string{owner.Code, member.Code}})
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)

		postAccounts(t, api, project, member.Key, []any{acct("m1", "disabled"), acct("m2", "locked")})
		resp = api.Admin(t, http.MethodPut, "/admin/projects/"+project, map[string]any{"companies": []string{owner.Code}})
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		assert.Equal(t, http.StatusForbidden, api.Call(t, http.MethodGet, "/v1/Accounts/"+project, member.Key, nil).Status)
	})
}

func TestCompaniesRaceForTheLastLicences(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		t.Run("Concurrent callers racing for the last licences: all 200, active == licences", func(t *testing.T) {
			const callers, licenses = 50, 10
			company := api.NewCompany(t)
			project := newAccountsProject(t, api, licenses, company)
			statuses := make([]int, callers)
			bodies := make([][]byte, callers)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range callers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					body, _ := json.Marshal([]any{acct(fmt.Sprintf("racer-%02d", i), "active")})
					req := httptest.NewRequest(http.MethodPost, "/v1/Accounts/"+project, bytes.NewReader(body))
					req.Header.Set("Authorization", company.Key)
					req.Header.Set("Content-Type", "application/json")
					rec := httptest.NewRecorder()
					<-start
					api.Handler.ServeHTTP(rec, req)
					statuses[i], bodies[i] = rec.Code, rec.Body.Bytes()
				}()
			}
			close(start)
			wg.Wait()
			for i := range callers {
				require.Equal(t, http.StatusOK, statuses[i], "caller %d: %s", i, bodies[i])
			}
			active, _ := listAccounts(t, api, "/v1/Accounts/"+project+"?status=active", company.Key)
			assert.Len(t, active.Accounts, licenses)
			assert.Equal(t, licenses, active.Used)
			_, disabled := listAccounts(t, api, "/v1/Accounts/"+project+"?status=disabled", company.Key)
			assert.Equal(t, fmt.Sprint(callers-licenses), disabled)
		})
	})
}

func TestAccountsNeverConfirmACompanyCode(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		p := newDataProject(t, api)
		for _, key := range []string{p.owner.Key, p.member.Key} {
			call := func(companyCode string) *apitest.Response {
				return api.Call(t, http.MethodPost, "/v1/Accounts/"+p.code, key,
					[]map[string]any{{"login": "x-" + uuid.NewString()[:8], "status": "active", "companyCode": companyCode}})
			}
			outsider, unknown := call(p.outsider.Code), call("NOBODY-"+uuid.NewString()[:8])
			require.Equal(t, http.StatusForbidden, outsider.Status, "%s", outsider.Body)
			require.Equal(t, http.StatusForbidden, unknown.Status, "%s", unknown.Body)
			assert.Equal(t, outsider.Map(t)["message"], unknown.Map(t)["message"])
		}
	})
}
