package agent

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// benchInventory is a FusionInventory-shaped inventory of n packages.
func benchInventory(n int) []byte {
	var x strings.Builder
	x.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<REQUEST>\n  <CONTENT>\n    <HARDWARE>\n      <NAME>PC-01</NAME>\n    </HARDWARE>\n")
	for i := range n {
		fmt.Fprintf(&x, "    <SOFTWARES>\n      <ARCH>amd64</ARCH>\n      <FILESIZE>1234</FILESIZE>\n      <FROM>deb</FROM>\n      <NAME>lib-package-%03d</NAME>\n      <PUBLISHER>Debian</PUBLISHER>\n      <SYSTEM_CATEGORY>libs</SYSTEM_CATEGORY>\n      <VERSION>1:%d.0-1+deb12u1</VERSION>\n    </SOFTWARES>\n", i, i)
	}
	x.WriteString("  </CONTENT>\n  <DEVICEID>pc-01</DEVICEID>\n  <QUERY>INVENTORY</QUERY>\n</REQUEST>\n")
	return []byte(x.String())
}

func BenchmarkDecodeOCS(b *testing.B) {
	body := benchInventory(900)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		req, err := decodeOCS(bytes.NewReader(body))
		if err != nil || len(req.Report.Software) != 900 {
			b.Fatal(err)
		}
	}
}
