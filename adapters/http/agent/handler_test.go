package agent

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/parc-hq/parc/app"
	"github.com/parc-hq/parc/domain/inventory"
	"github.com/parc-hq/parc/domain/tenant"
)

const goodKey = "the-key"

type fakeAuth struct{ failed int }

func (f *fakeAuth) Authenticate(_ context.Context, key string) (tenant.Company, error) {
	if key != goodKey {
		return tenant.Company{}, tenant.ErrKeyRejected
	}
	return tenant.Company{}, nil
}

type fakeInventories struct{ reports []inventory.Report }

func (f *fakeInventories) Inventory(_ context.Context, _ string, r inventory.Report) (app.AgentResult, error) {
	if _, err := inventory.ReportRecords(r); err != nil {
		return app.AgentResult{}, err
	}
	f.reports = append(f.reports, r)
	return app.AgentResult{}, nil
}

type rig struct {
	h    *Handler
	auth *fakeAuth
	inv  *fakeInventories
}

func newRig(limit int64) *rig {
	r := &rig{auth: &fakeAuth{}, inv: &fakeInventories{}}
	cfg := Config{BodyLimit: limit, AuthFailed: func(*http.Request) { r.auth.failed++ }}
	r.h = New(cfg, r.auth, r.inv, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return r
}

func (r *rig) post(t *testing.T, body []byte, key string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/ocsinventory", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-compress")
	if key != "" {
		req.SetBasicAuth("agent", key)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	r.h.ServeHTTP(rec, req)
	return rec
}

func zlibOf(b []byte) []byte { return compress(b, zlibbed) }
func gzipOf(b []byte) []byte { return compress(b, gzipped) }

// replyText inflates a reply, which must be zlib at the default level.
func replyText(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	b := rec.Body.Bytes()
	if len(b) < 2 || b[0] != 0x78 || b[1] != 0x9c {
		t.Fatalf("reply is not zlib at the default level: % x", b[:min(len(b), 4)])
	}
	zr, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

const prolog = `<?xml version="1.0" encoding="UTF-8" ?><REQUEST><DEVICEID>pc-01-2026-11-27-06-10-53</DEVICEID><QUERY>PROLOG</QUERY><TOKEN>12345678</TOKEN></REQUEST>`

func sampleInventory(name string, extra string) string {
	return `<?xml version="1.0" encoding="UTF-8" ?><REQUEST><CONTENT><HARDWARE><NAME>` + name + `</NAME><IPADDR>127.0.0.1/10.1.2.3</IPADDR><OSNAME>Debian</OSNAME></HARDWARE>` +
		`<BIOS><SSN>SN-1</SSN><SMANUFACTURER>ACME</SMANUFACTURER><SMODEL>X1</SMODEL></BIOS>` +
		`<PROCESSES><CMD>init</CMD></PROCESSES>` +
		`<SOFTWARES><NAME>libc6:amd64</NAME><ARCHITECTURE>amd64</ARCHITECTURE><VERSION>2.36-9</VERSION></SOFTWARES>` +
		`<SOFTWARES><NAME>bash</NAME><ARCH>amd64</ARCH><VERSION>5.2.15-2+b2</VERSION></SOFTWARES>` +
		`<SOFTWARES><NAME>Windows thing</NAME></SOFTWARES>` +
		`<ACCOUNTINFO><KEYNAME>TAG</KEYNAME><KEYVALUE>Head office</KEYVALUE></ACCOUNTINFO>` + extra +
		`</CONTENT><DEVICEID>pc-01-2026-11-27-06-10-53</DEVICEID><QUERY>INVENTORY</QUERY></REQUEST>`
}

func TestChallenge(t *testing.T) {
	r := newRig(1 << 20)
	for _, key := range []string{"", "wrong"} {
		rec := r.post(t, zlibOf([]byte(prolog)), key)
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("key %q: status %d", key, rec.Code)
		}
		if got := rec.Header().Values("WWW-Authenticate"); len(got) != 1 || got[0] != `Basic realm=""` {
			t.Fatalf("challenge %q", got)
		}
	}
	if r.auth.failed != 1 {
		t.Fatalf("failed authentications reported: %d, want 1 (the wrong key)", r.auth.failed)
	}
	if len(r.inv.reports) != 0 {
		t.Fatal("stored something without credentials")
	}
}

func TestPrologAndInventoryInEveryCompression(t *testing.T) {
	for name, wrap := range map[string]func([]byte) []byte{"zlib": zlibOf, "gzip": gzipOf, "plain": func(b []byte) []byte { return b }} {
		t.Run(name, func(t *testing.T) {
			r := newRig(1 << 20)
			rec := r.post(t, wrap([]byte(prolog)), goodKey, "User-Agent", "OCS-NG_unified_unix_agent_v2.10.0")
			if rec.Code != http.StatusOK || !strings.Contains(replyText(t, rec), "<RESPONSE>SEND</RESPONSE>") {
				t.Fatalf("prolog: %d %q", rec.Code, rec.Body.String())
			}
			rec = r.post(t, wrap([]byte(sampleInventory("PC-01", ""))), goodKey, "User-Agent", "FusionInventory-Agent_v2.6-3")
			if rec.Code != http.StatusOK || !strings.Contains(replyText(t, rec), "NO_ACCOUNT_UPDATE") {
				t.Fatalf("inventory: %d", rec.Code)
			}
			if len(r.inv.reports) != 1 {
				t.Fatalf("%d reports stored", len(r.inv.reports))
			}
			rep := r.inv.reports[0]
			if rep.Computer != "PC-01" || rep.IP.String() != "10.1.2.3" || len(rep.Software) != 3 {
				t.Fatalf("report %+v", rep)
			}
			f := rep.Facts
			if f.Serial != "SN-1" || f.Manufacturer != "ACME" || f.Model != "X1" || f.Tag != "Head office" ||
				f.DeviceID != "pc-01-2026-11-27-06-10-53" || f.Agent != "fusioninventory" || f.OSName != "Debian" {
				t.Fatalf("facts %+v", f)
			}
			recs, _ := inventory.ReportRecords(rep)
			got := []string{}
			for _, rr := range recs {
				got = append(got, rr.Program.Display()+"="+rr.Version)
			}
			want := "libc6:amd64=2.36-9 bash:amd64=5.2.15-2+b2 Windows thing="
			if strings.Join(got, " ") != want {
				t.Fatalf("records %q, want %q", got, want)
			}
		})
	}
}

func TestBadInputStoresNothing(t *testing.T) {
	entity := `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><REQUEST><CONTENT><HARDWARE><NAME>&b;</NAME></HARDWARE></CONTENT><QUERY>INVENTORY</QUERY></REQUEST>`
	full := sampleInventory("PC-01", "")
	cases := map[string]struct {
		body   []byte
		status int
		says   string
	}{
		"malformed":       {zlibOf([]byte(`<REQUEST><QUERY>INVENTORY</QUERY>`)), 400, "truncated"},
		"truncated zlib":  {zlibOf([]byte(full))[:200], 400, "truncated"},
		"not xml":         {zlibOf([]byte(`hello`)), 400, "text outside"},
		"no root":         {zlibOf([]byte(`<?xml version="1.0"?>`)), 400, "no REQUEST element"},
		"unknown query":   {zlibOf([]byte(`<REQUEST><QUERY>DOWNLOAD</QUERY></REQUEST>`)), 400, `QUERY "DOWNLOAD"`},
		"no query":        {zlibOf([]byte(`<REQUEST><DEVICEID>x</DEVICEID></REQUEST>`)), 400, "no QUERY"},
		"no computer":     {zlibOf([]byte(strings.Replace(full, "<NAME>PC-01</NAME>", "", 1))), 400, "names no computer"},
		"entities":        {zlibOf([]byte(entity)), 400, "document type declaration"},
		"undeclared":      {zlibOf([]byte(`<REQUEST><QUERY>&x;</QUERY></REQUEST>`)), 400, "malformed XML"},
		"two roots":       {zlibOf([]byte(`<REQUEST><QUERY>PROLOG</QUERY></REQUEST><REQUEST/>`)), 400, "more than one root"},
		"other root":      {zlibOf([]byte(`<REPLY/>`)), 400, "not <REQUEST>"},
		"empty":           {nil, 400, "empty"},
		"bad json":        {[]byte(`{"action":"inventory","content":{"hardware":{"name":"x"}`), 400, "truncated"},
		"unknown action":  {[]byte(`{"action":"netdiscovery"}`), 400, `action "netdiscovery"`},
		"json no content": {[]byte(`{"action":"inventory","deviceid":"x"}`), 400, "no content"},
		"json wrong type": {[]byte(`{"action":"inventory","content":{"hardware":{"name":7}}}`), 400, "must be string"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			r := newRig(1 << 20)
			rec := r.post(t, c.body, goodKey)
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d", rec.Code, c.status)
			}
			var msg string
			if strings.HasPrefix(name, "json") || strings.Contains(name, "action") || name == "bad json" {
				var reply struct{ Status, Message string }
				if err := json.Unmarshal([]byte(replyJSON(t, rec)), &reply); err != nil || reply.Status != "error" {
					t.Fatalf("reply %q: %v", rec.Body.String(), err)
				}
				msg = reply.Message
			} else {
				msg = html.UnescapeString(replyText(t, rec))
			}
			if !strings.Contains(msg, c.says) {
				t.Fatalf("reply %q does not say %q", msg, c.says)
			}
			if len(r.inv.reports) != 0 {
				t.Fatal("stored something")
			}
		})
	}
}

func replyJSON(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("content type %q", ct)
	}
	return rec.Body.String()
}

// countingReader counts the bytes a zip bomb's reader was asked for.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func TestZipBombStopsAtTheLimit(t *testing.T) {
	// 64 MiB of zeros inflated from about 64 KiB; the limit is 1 MiB.
	var buf bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	zero := bytes.Repeat([]byte("a"), 1<<20)
	_, _ = zw.Write([]byte("<REQUEST><CONTENT><HARDWARE><NAME>"))
	for range 64 {
		_, _ = zw.Write(zero)
	}
	_ = zw.Close()
	bomb := buf.Bytes()
	r := newRig(1 << 20)
	src := &countingReader{r: bytes.NewReader(bomb)}
	req := httptest.NewRequest(http.MethodPost, "/ocsinventory", src)
	req.SetBasicAuth("agent", goodKey)
	rec := httptest.NewRecorder()
	r.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d", rec.Code)
	}
	if src.n > int64(len(bomb))/8 {
		t.Fatalf("read %d of %d compressed bytes: inflated far past the limit", src.n, len(bomb))
	}
	if len(r.inv.reports) != 0 {
		t.Fatal("stored something")
	}
}

func TestCompressedBodyLargerThanTheLimit(t *testing.T) {
	r := newRig(100)
	rec := r.post(t, []byte(sampleInventory("PC-01", strings.Repeat("<X/>", 100))), goodKey)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d", rec.Code)
	}
}

func TestTooManyPackages(t *testing.T) {
	sw := strings.Repeat("<SOFTWARES><NAME>p</NAME></SOFTWARES>", inventory.MaxReportSoftware+1)
	r := newRig(16 << 20)
	rec := r.post(t, zlibOf([]byte(sampleInventory("PC-01", sw))), goodKey)
	if rec.Code != http.StatusBadRequest || !strings.Contains(replyText(t, rec), "more than") {
		t.Fatalf("status %d", rec.Code)
	}
}

func TestGLPIAgentSwitchesToJSON(t *testing.T) {
	r := newRig(1 << 20)
	rec := r.post(t, zlibOf([]byte(prolog)), goodKey, "GLPI-Agent-ID", "3a609a2e-947f-4e6a-9af9-32c024ac3944", "User-Agent", "GLPI-Agent_v1.7")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/x-compress-zlib" {
		t.Fatalf("prolog: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	var reply struct {
		Status     string
		Expiration int
	}
	if err := json.Unmarshal([]byte(replyText(t, rec)), &reply); err != nil || reply.Status != "ok" || reply.Expiration != 24 {
		t.Fatalf("prolog reply %+v %v", reply, err)
	}
	contact := []byte(`{"action":"contact","deviceid":"pc-02","name":"GLPI-Agent","version":"1.7","installed-tasks":["inventory"],"enabled-tasks":["inventory"]}`)
	inv := []byte(`{"action":"inventory","deviceid":"pc-02-2026","itemtype":"Computer","partial":false,"tag":"Lyon","content":{
		"versionclient":"GLPI-Agent_v1.7","hardware":{"name":"PC-02"},"bios":{"ssn":"S2"},"operatingsystem":{"name":"Windows","version":"11"},
		"networks":[{"ipaddress":"192.168.1.9"}],"softwares":[{"name":"7-Zip","version":"23.01","arch":"x86_64"},{"name":"Notepad"}]}}`)
	for name, c := range map[string]struct {
		wrap func([]byte) []byte
		ct   string
	}{"zlib": {zlibOf, "application/x-compress-zlib"}, "gzip": {gzipOf, "application/x-compress-gzip"}, "plain": {func(b []byte) []byte { return b }, "application/json"}} {
		for _, body := range [][]byte{contact, inv} {
			rec := r.post(t, c.wrap(body), goodKey, "Content-Type", c.ct, "GLPI-Agent-ID", "3a609a2e")
			if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != c.ct {
				t.Fatalf("%s: %d %s", name, rec.Code, rec.Header().Get("Content-Type"))
			}
			text := rec.Body.String()
			if c.ct != "application/json" {
				text = inflateText(t, rec.Body.Bytes())
			}
			if text != `{"status":"ok","expiration":24}` {
				t.Fatalf("%s: reply %q", name, text)
			}
		}
	}
	if len(r.inv.reports) != 3 {
		t.Fatalf("%d reports", len(r.inv.reports))
	}
	rep := r.inv.reports[0]
	if rep.Computer != "PC-02" || rep.IP.String() != "192.168.1.9" || rep.Facts.Tag != "Lyon" || rep.Facts.Agent != "glpi-agent" ||
		rep.Facts.Serial != "S2" || rep.Facts.OSName != "Windows" || len(rep.Software) != 2 || rep.Software[1].Version != "" {
		t.Fatalf("report %+v", rep)
	}
}

func inflateText(t *testing.T, b []byte) string {
	t.Helper()
	var r io.Reader
	var err error
	if b[0] == 0x1f {
		r, err = gzip.NewReader(bytes.NewReader(b))
	} else {
		r, err = zlib.NewReader(bytes.NewReader(b))
	}
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestUndoDoubleUTF8(t *testing.T) {
	for in, want := range map[string]string{
		"ZÃ¼rich":     "Zürich",
		"Zürich":      "Zürich", // once encoded: kept
		"Head office": "Head office",
		"Ã":           "Ã", // not valid UTF-8 once undone
		"日本":          "日本",
	} {
		if got := undoDoubleUTF8(in); got != want {
			t.Errorf("undoDoubleUTF8(%q) = %q, want %q", in, got, want)
		}
	}
	r := newRig(1 << 20)
	body := strings.Replace(sampleInventory("PC-01", ""), "Head office", "ZÃ¼rich", 1)
	rec := r.post(t, zlibOf([]byte(body)), goodKey, "User-Agent", "FusionInventory-Agent_v2.6-3")
	if rec.Code != http.StatusOK || r.inv.reports[0].Facts.Tag != "Zürich" {
		t.Fatalf("FusionInventory's tag: %d %q", rec.Code, r.inv.reports[0].Facts.Tag)
	}
}
