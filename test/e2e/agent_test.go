package e2e

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parc-hq/parc/test/apitest"
)

// Inventory agents at /ocsinventory: requests built as the agents build
// them (PROTOCOL shapes: OCS XML, GLPI Agent JSON); test/agents runs the
// real agents.

type pkg struct{ name, arch, version string }

func ocsInventory(computer, tag string, pkgs []pkg) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" ?><REQUEST><CONTENT><HARDWARE><NAME>` + computer + `</NAME>` +
		`<IPADDR>127.0.0.1/10.9.8.7</IPADDR><OSNAME>Debian GNU/Linux 12</OSNAME><OSVERSION>6.1.0</OSVERSION></HARDWARE>` +
		`<BIOS><SSN>SN-42</SSN><SMANUFACTURER>Dell Inc.</SMANUFACTURER><SMODEL>OptiPlex 7010</SMODEL></BIOS>` +
		`<OPERATINGSYSTEM><NAME>Debian GNU/Linux</NAME><VERSION>12.11</VERSION></OPERATINGSYSTEM>` +
		`<PROCESSES><CMD>/sbin/init</CMD><PID>1</PID></PROCESSES>`)
	for _, p := range pkgs {
		fmt.Fprintf(&b, `<SOFTWARES><NAME>%s</NAME><ARCHITECTURE>%s</ARCHITECTURE><VERSION>%s</VERSION><FROM>deb</FROM></SOFTWARES>`, p.name, p.arch, p.version)
	}
	if tag != "" {
		b.WriteString(`<ACCOUNTINFO><KEYNAME>TAG</KEYNAME><KEYVALUE>` + tag + `</KEYVALUE></ACCOUNTINFO>`)
	}
	b.WriteString(`</CONTENT><DEVICEID>` + strings.ToLower(computer) + `-2026-11-27-06-10-53</DEVICEID><QUERY>INVENTORY</QUERY></REQUEST>`)
	return b.String()
}

func zlibbed(s string) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	_, _ = io.WriteString(w, s)
	_ = w.Close()
	return buf.Bytes()
}

func inflated(t *testing.T, b []byte) string {
	t.Helper()
	require.True(t, len(b) > 2 && b[0] == 0x78 && b[1] == 0x9c, "reply is not zlib at the default level: %q", b)
	r, err := zlib.NewReader(bytes.NewReader(b))
	require.NoError(t, err)
	out, err := io.ReadAll(r)
	require.NoError(t, err)
	return string(out)
}

func basic(key string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte("agent:"+key))
}

// agentPost sends body to /ocsinventory as the OCS agent does.
func agentPost(t *testing.T, api *apitest.API, key string, body []byte, header ...string) *apitest.Response {
	t.Helper()
	h := http.Header{"Content-Type": {"application/x-compress"}, "User-Agent": {"OCS-NG_unified_unix_agent_v2.10.0"}}
	if key != "" {
		h.Set("Authorization", basic(key))
	}
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	return api.Do(t, apitest.Request{Method: http.MethodPost, Path: "/ocsinventory", Body: body, Header: h})
}

func agentInstallations(t *testing.T, api *apitest.API, key, query string) []installation {
	t.Helper()
	resp := api.Call(t, http.MethodGet, "/client-data?limit=5000"+query, key, nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	var page installationPage
	resp.JSON(t, &page)
	return page.Items
}

func equipmentOf(t *testing.T, api *apitest.API, key string) []map[string]any {
	t.Helper()
	resp := api.Call(t, http.MethodGet, "/equipements", key, nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	var list []map[string]any
	resp.JSON(t, &list)
	return list
}

var basePackages = []pkg{{"libc6:amd64", "amd64", "2.36-9+deb12u10"}, {"libc6:i386", "i386", "2.36-9+deb12u10"},
	{"bash", "amd64", "5.2.15-2+b8"}, {"tzdata", "all", "2025b-0+deb12u1"}, {"Notepad++", "", ""}}

func TestAgentInventory_200(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		acme := api.NewCompany(t)

		t.Run("challenge then PROLOG answers SEND", func(t *testing.T) {
			resp := agentPost(t, api, "", zlibbed(`<REQUEST><DEVICEID>pc</DEVICEID><QUERY>PROLOG</QUERY></REQUEST>`))
			require.Equal(t, http.StatusUnauthorized, resp.Status)
			assert.Equal(t, []string{`Basic realm=""`}, resp.Header.Values("WWW-Authenticate"))
			resp = agentPost(t, api, acme.Key, zlibbed(`<REQUEST><DEVICEID>pc</DEVICEID><QUERY>PROLOG</QUERY></REQUEST>`))
			require.Equal(t, http.StatusOK, resp.Status)
			assert.Contains(t, inflated(t, resp.Body), "<RESPONSE>SEND</RESPONSE>")
		})

		t.Run("an inventory stores the programs and the machine's facts", func(t *testing.T) {
			resp := agentPost(t, api, acme.Key, zlibbed(ocsInventory("PC-Agent", "Nowhere", basePackages)))
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			assert.Contains(t, inflated(t, resp.Body), "NO_ACCOUNT_UPDATE")
			got := map[string]string{}
			for _, in := range agentInstallations(t, api, acme.Key, "&computer_name=pc-agent") {
				got[in.Program] = in.Version
			}
			assert.Equal(t, map[string]string{"libc6:amd64": "2.36-9+deb12u10", "libc6:i386": "2.36-9+deb12u10",
				"bash:amd64": "5.2.15-2+b8", "tzdata:all": "2025b-0+deb12u1", "Notepad++": ""}, got)
			eq := equipmentOf(t, api, acme.Key)
			require.Len(t, eq, 1)
			e := eq[0]
			assert.Equal(t, "PC-Agent", e["name"])
			assert.Equal(t, "10.9.8.7", e["ip_address"])
			assert.Equal(t, "SN-42", e["serial"])
			assert.Equal(t, "Dell Inc.", e["manufacturer"])
			assert.Equal(t, "OptiPlex 7010", e["model"])
			assert.Equal(t, "Debian GNU/Linux", e["os_name"])
			assert.Equal(t, "12.11", e["os_version"])
			assert.Equal(t, "ocsinventory", e["agent"])
			assert.Equal(t, "pc-agent-2026-11-27-06-10-53", e["agent_device_id"])
			assert.Equal(t, "Nowhere", e["agent_tag"], "a tag naming no site is kept")
			assert.Nil(t, e["site_id"])
			assert.NotNil(t, e["last_inventory"])
		})

		t.Run("the same list again changes nothing", func(t *testing.T) {
			before := api.Call(t, http.MethodGet, "/client-data/computers/PC-Agent/history", acme.Key, nil)
			resp := agentPost(t, api, acme.Key, zlibbed(ocsInventory("pc-agent ", "Nowhere", basePackages)))
			require.Equal(t, http.StatusOK, resp.Status)
			after := api.Call(t, http.MethodGet, "/client-data/computers/PC-Agent/history", acme.Key, nil)
			assert.JSONEq(t, string(before.Body), string(after.Body))
			assert.Len(t, equipmentOf(t, api, acme.Key), 1, "case and spaces fold to the same computer")
		})

		t.Run("a package no longer listed is marked removed", func(t *testing.T) {
			resp := agentPost(t, api, acme.Key, zlibbed(ocsInventory("PC-Agent", "", basePackages[1:])))
			require.Equal(t, http.StatusOK, resp.Status)
			for _, in := range agentInstallations(t, api, acme.Key, "&include_removed=true&program=libc6:amd64") {
				assert.True(t, in.Removed, "%+v", in)
			}
			assert.Len(t, agentInstallations(t, api, acme.Key, ""), len(basePackages)-1)
			hist := api.Call(t, http.MethodGet, "/client-data/computers/PC-Agent/history", acme.Key, nil)
			assert.Contains(t, string(hist.Body), `"event":"removed"`)
		})

		t.Run("the JSON push and the agent share the computer", func(t *testing.T) {
			resp := api.Call(t, http.MethodPost, "/client-data", acme.Key, []map[string]any{{"computer_name": "PC-AGENT", "program": "Chrome", "version": "120"}})
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			assert.Len(t, equipmentOf(t, api, acme.Key), 1)
		})
	})
}

func TestAgentTagPlacesComputer_200(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		acme := api.NewCompany(t)
		cl := register(t, api, acme.Key, "Customer", randomCode())
		site := createSite(t, api, acme.Key, cl["client_id"].(string), "Head Office")
		resp := agentPost(t, api, acme.Key, zlibbed(ocsInventory("PC-Tagged", " head office", basePackages[:1])))
		require.Equal(t, http.StatusOK, resp.Status)
		eq := equipmentOf(t, api, acme.Key)
		require.Len(t, eq, 1)
		assert.Equal(t, site["site_id"], eq[0]["site_id"])

		// Moved by a person, it stays where it was put.
		other := createSite(t, api, acme.Key, cl["client_id"].(string), "Annex")
		move := api.Call(t, http.MethodPut, "/equipements/"+eq[0]["equipement_id"].(string), acme.Key, map[string]any{"site_id": other["site_id"]})
		require.Equal(t, http.StatusOK, move.Status, "%s", move.Body)
		require.Equal(t, http.StatusOK, agentPost(t, api, acme.Key, zlibbed(ocsInventory("PC-Tagged", "Head Office", basePackages[:1]))).Status)
		assert.Equal(t, other["site_id"], equipmentOf(t, api, acme.Key)[0]["site_id"])
	})
}

func TestAgentRefused_401(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		acme := api.NewCompany(t)
		body := zlibbed(ocsInventory("PC-Refused", "", basePackages))
		issued := api.Admin(t, http.MethodPost, "/admin/companies/"+acme.ID+"/keys", map[string]string{"name": "agents"})
		require.Equal(t, http.StatusCreated, issued.Status, "%s", issued.Body)
		var key struct {
			KeyID  string `json:"key_id"`
			APIKey string `json:"api_key"`
		}
		issued.JSON(t, &key)
		require.Equal(t, http.StatusOK, api.Admin(t, http.MethodDelete, "/admin/keys/"+key.KeyID, nil).Status)

		for name, k := range map[string]string{"wrong key": acme.Key + "x", "revoked key": key.APIKey, "not a key": "hello"} {
			resp := agentPost(t, api, k, body)
			assert.Equal(t, http.StatusUnauthorized, resp.Status, name)
			assert.Equal(t, []string{`Basic realm=""`}, resp.Header.Values("WWW-Authenticate"), name)
		}
		require.Equal(t, http.StatusOK, api.Admin(t, http.MethodPut, "/admin/companies/"+acme.ID, map[string]string{"status": "disabled"}).Status)
		assert.Equal(t, http.StatusUnauthorized, agentPost(t, api, acme.Key, body).Status, "disabled company")
		require.Equal(t, http.StatusOK, api.Admin(t, http.MethodPut, "/admin/companies/"+acme.ID, map[string]string{"status": "active"}).Status)
		assert.Empty(t, equipmentOf(t, api, acme.Key))
		assert.Empty(t, agentInstallations(t, api, acme.Key, "&include_removed=true"))
	})
}

func TestAgentBadInput_400(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		acme := api.NewCompany(t)
		good := ocsInventory("PC-Bad", "", basePackages)
		for name, body := range map[string][]byte{
			"truncated XML":  zlibbed(good[:len(good)/2]),
			"truncated zlib": zlibbed(good)[:40],
			"unknown QUERY":  zlibbed(strings.Replace(good, "<QUERY>INVENTORY", "<QUERY>SNMP", 1)),
			"no computer":    zlibbed(strings.Replace(good, "<NAME>PC-Bad</NAME>", "", 1)),
			"entities":       zlibbed(`<!DOCTYPE x [<!ENTITY a "b">]>` + good),
		} {
			resp := agentPost(t, api, acme.Key, body)
			assert.Equal(t, http.StatusBadRequest, resp.Status, name)
			assert.Contains(t, inflated(t, resp.Body), "<ERROR>", name)
		}
		assert.Empty(t, equipmentOf(t, api, acme.Key))
	})
}

func TestAgentBodyTooLarge_413(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		small := apitest.New(t, api.Target, apitest.WithBodyLimit(4096))
		acme := small.NewCompany(t)
		bomb := zlibbed(ocsInventory("PC-Bomb", strings.Repeat("x", 100_000), nil))
		resp := agentPost(t, small, acme.Key, bomb)
		assert.Equal(t, http.StatusRequestEntityTooLarge, resp.Status)
		assert.Empty(t, equipmentOf(t, small, acme.Key))
	})
}

func TestGLPIAgentJSON_200(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		acme := api.NewCompany(t)
		cl := register(t, api, acme.Key, "Customer", randomCode())
		site := createSite(t, api, acme.Key, cl["client_id"].(string), "Lyon")
		glpi := []string{"GLPI-Agent-ID", "3a609a2e-947f-4e6a-9af9-32c024ac3944", "User-Agent", "GLPI-Agent_v1.11"}

		prolog := agentPost(t, api, acme.Key, zlibbed(`<REQUEST><DEVICEID>pc-glpi</DEVICEID><QUERY>PROLOG</QUERY></REQUEST>`), glpi...)
		require.Equal(t, http.StatusOK, prolog.Status)
		assert.JSONEq(t, `{"status":"ok","expiration":24}`, inflated(t, prolog.Body), "a JSON answer switches GLPI Agent to JSON")

		send := func(body string) *apitest.Response {
			return agentPost(t, api, acme.Key, []byte(body), append(glpi, "Content-Type", "application/json")...)
		}
		contact := send(`{"action":"contact","deviceid":"pc-glpi-2026","name":"GLPI-Agent","version":"1.11","installed-tasks":["inventory"],"enabled-tasks":["inventory"]}`)
		require.Equal(t, http.StatusOK, contact.Status)
		assert.JSONEq(t, `{"status":"ok","expiration":24}`, string(contact.Body))

		inv := send(`{"action":"inventory","deviceid":"pc-glpi-2026","itemtype":"Computer","partial":false,"content":{
			"versionclient":"GLPI-Agent_v1.11","hardware":{"name":"PC-GLPI"},
			"bios":{"ssn":"CZC1234","smanufacturer":"HP","smodel":"EliteDesk"},
			"operatingsystem":{"name":"Microsoft Windows 11 Pro","version":"23H2"},
			"networks":[{"ipaddress":"192.168.7.20","mac":"00:11:22:33:44:55"}],
			"accountinfo":[{"keyname":"TAG","keyvalue":"lyon"}],
			"softwares":[{"name":"7-Zip 23.01 (x64)","version":"23.01","arch":"x86_64","publisher":"Igor Pavlov"},{"name":"Windows Driver Package"}]}}`)
		require.Equal(t, http.StatusOK, inv.Status, "%s", inv.Body)
		assert.JSONEq(t, `{"status":"ok","expiration":24}`, string(inv.Body))
		got := map[string]string{}
		for _, in := range agentInstallations(t, api, acme.Key, "") {
			got[in.Program] = in.Version
		}
		assert.Equal(t, map[string]string{"7-Zip 23.01 (x64):x86_64": "23.01", "Windows Driver Package": ""}, got)
		e := equipmentOf(t, api, acme.Key)[0]
		assert.Equal(t, "glpi-agent", e["agent"])
		assert.Equal(t, site["site_id"], e["site_id"])
		assert.Equal(t, "192.168.7.20", e["ip_address"])
		assert.Equal(t, "Microsoft Windows 11 Pro", e["os_name"])

		bad := send(`{"action":"inventory","content":{"hardware":{}}}`)
		assert.Equal(t, http.StatusBadRequest, bad.Status)
		assert.Contains(t, string(bad.Body), `"status":"error"`)
	})
}

func TestAgentConcurrentInventories_200(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		t.Run("Concurrent inventories of one computer", func(t *testing.T) {
			acme := api.NewCompany(t)
			// Each sender lists another subset: whatever the order, the
			// computer ends with exactly one sender's list.
			lists := [][]pkg{basePackages[:2], basePackages[1:4], basePackages[2:], basePackages}
			statuses := make(chan int, len(lists))
			var wg sync.WaitGroup
			for _, list := range lists {
				wg.Add(1)
				go func() {
					defer wg.Done()
					req := httptest.NewRequest(http.MethodPost, "/ocsinventory", bytes.NewReader(zlibbed(ocsInventory("PC-Race", "", list))))
					req.Header.Set("Authorization", basic(acme.Key))
					rec := httptest.NewRecorder()
					api.Handler.ServeHTTP(rec, req)
					statuses <- rec.Code
				}()
			}
			wg.Wait()
			close(statuses)
			for s := range statuses {
				assert.Equal(t, http.StatusOK, s)
			}
			got := map[string]bool{}
			for _, in := range agentInstallations(t, api, acme.Key, "") {
				got[in.Program] = true
			}
			matched := false
			for _, list := range lists {
				want := map[string]bool{}
				for _, p := range list {
					name := p.name
					if p.arch != "" && !strings.HasSuffix(name, ":"+p.arch) {
						name += ":" + p.arch
					}
					want[name] = true
				}
				matched = matched || assert.ObjectsAreEqual(want, got)
			}
			assert.True(t, matched, "the computer holds one inventory's list, not a mix: %v", got)
			assert.Len(t, equipmentOf(t, api, acme.Key), 1)
		})
	})
}
