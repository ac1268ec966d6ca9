package agent

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"strings"

	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/client"
	"github.com/parc-hq/parc/domain/inventory"
)

// maxNetworks bounds the network interfaces read from one inventory.
const maxNetworks = 1024

// ocsRequest is an OCS XML <REQUEST>, decoded as a stream: the large
// sections an inventory carries (processes, files, users …) are skipped
// token by token, and QUERY, which comes after CONTENT, is known only at
// the end.
type ocsRequest struct {
	Query    string
	DeviceID string
	Content  bool // a CONTENT element was present
	Report   inventory.Report
	ipaddr   string // HARDWARE/IPADDR
	networks []string
	osFull   osFacts // OPERATINGSYSTEM, preferred to HARDWARE's
	hwOS     osFacts
}

type osFacts struct{ name, version string }

// XML shapes of the sections kept. Unknown children are ignored.
type (
	xmlHardware struct {
		Name      string `xml:"NAME"`
		IPAddr    string `xml:"IPADDR"`
		OSName    string `xml:"OSNAME"`
		OSVersion string `xml:"OSVERSION"`
	}
	xmlBIOS struct {
		SSN           string `xml:"SSN"`
		SManufacturer string `xml:"SMANUFACTURER"`
		SModel        string `xml:"SMODEL"`
	}
	xmlOS struct {
		Name    string `xml:"NAME"`
		Version string `xml:"VERSION"`
	}
	xmlNetwork struct {
		IPAddress string `xml:"IPADDRESS"`
	}
	xmlSoftware struct {
		Name         string `xml:"NAME"`
		Version      string `xml:"VERSION"`
		Arch         string `xml:"ARCH"`         // FusionInventory
		Architecture string `xml:"ARCHITECTURE"` // OCS
	}
	xmlAccountInfo struct {
		KeyName  string `xml:"KEYNAME"`
		KeyValue string `xml:"KEYVALUE"`
	}
)

func invalid(format string, a ...any) error {
	return fmt.Errorf(format+": %w", append(a, domain.ErrInvalid)...)
}

// decodeOCS reads a <REQUEST> from r. Only the standard XML entities are
// known and a document type declaration is refused, so no entity expands
// into more text than it is written with.
func decodeOCS(r io.Reader) (*ocsRequest, error) {
	d := xml.NewDecoder(r)
	d.Strict = true
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		if strings.EqualFold(label, "utf-8") || strings.EqualFold(label, "utf8") {
			return in, nil
		}
		return nil, fmt.Errorf("encoding %q is not supported (send UTF-8)", label)
	}
	req := &ocsRequest{}
	root := false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			if !root {
				return nil, invalid("the XML body holds no REQUEST element")
			}
			return req, nil
		}
		if err != nil {
			return nil, xmlError(err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return nil, invalid("the XML body holds a document type declaration (<!%s…>): not accepted", firstWord(t))
		case xml.StartElement:
			if root {
				return nil, invalid("the XML body holds more than one root element")
			}
			if t.Name.Local != "REQUEST" {
				return nil, invalid("the XML body's root element is <%s>, not <REQUEST>", t.Name.Local)
			}
			root = true
			if err := req.decodeRequest(d); err != nil {
				return nil, err
			}
		}
	}
}

func firstWord(b []byte) string {
	s, _, _ := strings.Cut(strings.TrimSpace(string(b)), " ")
	if len(s) > 16 {
		s = s[:16]
	}
	return s
}

// xmlError words a decoding error; a body that failed to inflate keeps its
// own error.
func xmlError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.Is(err, domain.ErrInvalid) || errors.As(err, &tooBig) {
		return err
	}
	var syn *xml.SyntaxError
	if errors.As(err, &syn) && syn.Msg == "unexpected EOF" {
		return invalid("the XML body is truncated (line %d)", syn.Line)
	}
	if errors.As(err, &syn) {
		return invalid("malformed XML at line %d: %s", syn.Line, syn.Msg)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return invalid("the XML body is truncated")
	}
	return invalid("malformed XML: %v", err)
}

// decodeRequest reads the children of <REQUEST> up to its end.
func (req *ocsRequest) decodeRequest(d *xml.Decoder) error {
	for {
		tok, err := d.Token()
		if err != nil {
			return xmlError(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			req.finish()
			return nil
		case xml.Directive:
			return invalid("the XML body holds a declaration inside REQUEST: not accepted")
		case xml.StartElement:
			switch t.Name.Local {
			case "QUERY":
				err = d.DecodeElement(&req.Query, &t)
			case "DEVICEID":
				err = d.DecodeElement(&req.DeviceID, &t)
			case "CONTENT":
				req.Content = true
				err = req.decodeContent(d)
			default:
				err = d.Skip()
			}
			if err != nil {
				return xmlError(err)
			}
		}
	}
}

// decodeContent reads the children of <CONTENT> up to its end.
func (req *ocsRequest) decodeContent(d *xml.Decoder) error {
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			if err := req.decodeSection(d, t); err != nil {
				return err
			}
		}
	}
}

func (req *ocsRequest) decodeSection(d *xml.Decoder, t xml.StartElement) error {
	rep := &req.Report
	switch t.Name.Local {
	case "HARDWARE":
		var hw xmlHardware
		if err := d.DecodeElement(&hw, &t); err != nil {
			return err
		}
		rep.Computer, req.ipaddr, req.hwOS = hw.Name, hw.IPAddr, osFacts{hw.OSName, hw.OSVersion}
	case "BIOS":
		var b xmlBIOS
		if err := d.DecodeElement(&b, &t); err != nil {
			return err
		}
		rep.Facts.Serial, rep.Facts.Manufacturer, rep.Facts.Model = b.SSN, b.SManufacturer, b.SModel
	case "OPERATINGSYSTEM":
		var o xmlOS
		if err := d.DecodeElement(&o, &t); err != nil {
			return err
		}
		req.osFull = osFacts{o.Name, o.Version}
	case "NETWORKS":
		var n xmlNetwork
		if err := d.DecodeElement(&n, &t); err != nil {
			return err
		}
		if len(req.networks) < maxNetworks {
			req.networks = append(req.networks, n.IPAddress)
		}
	case "SOFTWARES":
		if len(rep.Software) >= inventory.MaxReportSoftware {
			return invalid("the inventory lists more than %d packages", inventory.MaxReportSoftware)
		}
		var s xmlSoftware
		if err := d.DecodeElement(&s, &t); err != nil {
			return err
		}
		arch := s.Arch
		if arch == "" {
			arch = s.Architecture
		}
		rep.Software = append(rep.Software, inventory.Software{Name: s.Name, Version: s.Version, Arch: arch})
	case "ACCOUNTINFO":
		var a xmlAccountInfo
		if err := d.DecodeElement(&a, &t); err != nil {
			return err
		}
		if strings.EqualFold(strings.TrimSpace(a.KeyName), "TAG") {
			rep.Facts.Tag = a.KeyValue
		}
	default:
		return d.Skip()
	}
	return nil
}

// finish settles what depends on several sections.
func (req *ocsRequest) finish() {
	rep := &req.Report
	rep.Facts.DeviceID = req.DeviceID
	os := req.osFull
	if strings.TrimSpace(os.name) == "" {
		os = req.hwOS
	}
	rep.Facts.OSName, rep.Facts.OSVersion = os.name, os.version
	rep.IP = pickIP(append(strings.Split(req.ipaddr, "/"), req.networks...))
}

// pickIP is the first address of the list that says where the computer
// is: a valid global unicast or private address, IPv4 before IPv6 as the
// agents' own HARDWARE/IPADDR lists them.
func pickIP(list []string) netip.Addr {
	var v6 netip.Addr
	for _, s := range list {
		a, err := client.ParseIP("ip", strings.TrimSpace(s))
		if err != nil || !a.IsGlobalUnicast() {
			continue
		}
		if a.Is4() {
			return a
		}
		if !v6.IsValid() {
			v6 = a
		}
	}
	return v6
}
