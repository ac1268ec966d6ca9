package agent

import (
	"errors"
	"strings"
	"testing"

	"github.com/parc-hq/parc/domain"
)

func TestDecodeOCSWellFormedness(t *testing.T) {
	ok := map[string]string{
		"entities and references": `<REQUEST><QUERY>PRO&#76;OG</QUERY><DEVICEID>a&amp;b &lt;c&gt; &quot;&apos;&#x263A;</DEVICEID></REQUEST>`,
		"CDATA and comments":      `<?xml version="1.0" encoding="utf-8"?><!-- c --><REQUEST><QUERY><![CDATA[PRO]]>LOG</QUERY><DEVICEID><![CDATA[a&amp;b <c> "'☺]]></DEVICEID></REQUEST>`,
		"self-closing and attrs":  `<REQUEST a="1"><TOKEN/><QUERY x='>'>PROLOG</QUERY><DEVICEID>a&amp;b &lt;c&gt; "'☺</DEVICEID></REQUEST>`,
	}
	for name, body := range ok {
		req, err := decodeOCS(strings.NewReader(body))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if req.Query != "PROLOG" {
			t.Errorf("%s: query %q", name, req.Query)
		}
		if name != "CDATA and comments" && req.DeviceID != `a&b <c> "'☺` {
			t.Errorf("%s: device id %q", name, req.DeviceID)
		}
		if name == "CDATA and comments" && req.DeviceID != `a&amp;b <c> "'☺` {
			t.Errorf("%s: CDATA is taken as written: %q", name, req.DeviceID)
		}
	}
	bad := map[string]string{
		"mismatched":         `<REQUEST><QUERY>PROLOG</DEVICEID></REQUEST>`,
		"unclosed":           `<REQUEST><QUERY>PROLOG</QUERY>`,
		"inside a tag":       `<REQUEST><QUERY`,
		"stray end":          `</REQUEST>`,
		"unknown entity":     `<REQUEST><QUERY>&lol;</QUERY></REQUEST>`,
		"bare ampersand":     `<REQUEST><QUERY>a & b</QUERY></REQUEST>`,
		"doctype":            `<!DOCTYPE REQUEST SYSTEM "file:///etc/passwd"><REQUEST/>`,
		"internal subset":    `<!DOCTYPE r [<!ENTITY a "aaaa">]><REQUEST><QUERY>&a;</QUERY></REQUEST>`,
		"latin-1":            `<?xml version="1.0" encoding="ISO-8859-1"?><REQUEST/>`,
		"invalid UTF-8":      "<REQUEST><QUERY>\xff\xfe</QUERY></REQUEST>",
		"unknown bang":       `<REQUEST><!ELEMENT x></REQUEST>`,
		"nameless tag":       `<REQUEST>< ></REQUEST>`,
		"text outside":       `junk<REQUEST/>`,
		"second root":        `<REQUEST/><REQUEST/>`,
		"unterminated CDATA": `<REQUEST><QUERY><![CDATA[x</QUERY></REQUEST>`,
	}
	for name, body := range bad {
		if _, err := decodeOCS(strings.NewReader(body)); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("%s: %v, want an invalid-input error", name, err)
		}
	}
}

func FuzzDecodeOCS(f *testing.F) {
	f.Add([]byte(sampleInventory("PC-01", "")))
	f.Add([]byte(prolog))
	f.Add([]byte(`<REQUEST><![CDATA[`))
	f.Add([]byte(`<!DOCTYPE x [<!ENTITY a "b">]><REQUEST/>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, err := decodeOCS(strings.NewReader(string(body)))
		if err != nil && !errors.Is(err, domain.ErrInvalid) {
			t.Fatalf("a body yields a non-input error: %v", err)
		}
	})
}
