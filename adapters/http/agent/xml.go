package agent

import (
	"io"
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
	Report   inventory.Report
	ipaddr   string // HARDWARE/IPADDR
	networks []string
	osFull   osFacts // OPERATINGSYSTEM, preferred to HARDWARE's
	hwOS     osFacts
}

type osFacts struct{ name, version string }

// invalid is bad input, worded for the agent (domain.ErrInvalid).
func invalid(format string, a ...any) error { return domain.Rejected(format, a...) }

// decodeOCS reads a <REQUEST> from r (see walker for what is checked).
func decodeOCS(r io.Reader) (*ocsRequest, error) {
	w := newWalker(r)
	req := &ocsRequest{}
	root := false
	for {
		kind, err := w.next()
		if err != nil {
			return nil, err
		}
		switch {
		case kind == evEOF && !root:
			return nil, invalid("the XML body holds no REQUEST element")
		case kind == evEOF:
			return req, nil
		case kind == evText && !blank(w.text):
			return nil, invalid("malformed XML: text outside the REQUEST element")
		case kind == evStart && root:
			return nil, invalid("the XML body holds more than one root element")
		case kind == evStart && w.open[0] != "REQUEST":
			return nil, invalid("the XML body's root element is <%s>, not <REQUEST>", w.open[0])
		case kind == evStart:
			root = true
			if err := req.decodeRequest(w); err != nil {
				return nil, err
			}
		}
	}
}

// decodeRequest reads the children of <REQUEST> up to its end.
func (req *ocsRequest) decodeRequest(w *walker) error {
	err := w.children(func(name string) error {
		var err error
		switch name {
		case "QUERY":
			req.Query, err = w.textOf()
		case "DEVICEID":
			req.DeviceID, err = w.textOf()
		case "CONTENT":
			err = w.children(func(section string) error { return req.decodeSection(w, section) })
		default:
			err = w.skip()
		}
		return err
	})
	if err != nil {
		return err
	}
	req.finish()
	return nil
}

// The fields read of each section kept; the others are read past.
var (
	hardwareFields = []string{"NAME", "IPADDR", "OSNAME", "OSVERSION"}
	biosFields     = []string{"SSN", "SMANUFACTURER", "SMODEL"}
	osFields       = []string{"NAME", "VERSION"}
	networkFields  = []string{"IPADDRESS"}
	softwareFields = []string{"NAME", "VERSION", "ARCH", "ARCHITECTURE"}
	accountFields  = []string{"KEYNAME", "KEYVALUE"}
)

func (req *ocsRequest) decodeSection(w *walker, section string) error {
	rep := &req.Report
	switch section {
	case "HARDWARE":
		return w.fields(hardwareFields, func(name, text string) {
			switch name {
			case "NAME":
				rep.Computer = text
			case "IPADDR":
				req.ipaddr = text
			case "OSNAME":
				req.hwOS.name = text
			case "OSVERSION":
				req.hwOS.version = text
			}
		})
	case "BIOS":
		return w.fields(biosFields, func(name, text string) {
			switch name {
			case "SSN":
				rep.Facts.Serial = text
			case "SMANUFACTURER":
				rep.Facts.Manufacturer = text
			case "SMODEL":
				rep.Facts.Model = text
			}
		})
	case "OPERATINGSYSTEM":
		return w.fields(osFields, func(name, text string) {
			switch name {
			case "NAME":
				req.osFull.name = text
			case "VERSION":
				req.osFull.version = text
			}
		})
	case "NETWORKS":
		return w.fields(networkFields, func(name, text string) {
			if name == "IPADDRESS" && len(req.networks) < maxNetworks {
				req.networks = append(req.networks, text)
			}
		})
	case "SOFTWARES":
		return req.decodeSoftware(w)
	case "ACCOUNTINFO":
		return req.decodeAccountInfo(w)
	}
	return w.skip()
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

// decodeSoftware reads one SOFTWARES entry: FusionInventory names the
// architecture ARCH, OCS ARCHITECTURE.
func (req *ocsRequest) decodeSoftware(w *walker) error {
	rep := &req.Report
	if len(rep.Software) >= inventory.MaxReportSoftware {
		return invalid("the inventory lists more than %d packages", inventory.MaxReportSoftware)
	}
	var s inventory.Software
	var architecture string
	err := w.fields(softwareFields, func(name, text string) {
		switch name {
		case "NAME":
			s.Name = text
		case "VERSION":
			s.Version = text
		case "ARCH":
			s.Arch = text
		case "ARCHITECTURE":
			architecture = text
		}
	})
	if s.Arch == "" {
		s.Arch = architecture
	}
	rep.Software = append(rep.Software, s)
	return err
}

// decodeAccountInfo reads one ACCOUNTINFO entry; the one named TAG is the
// agent's --tag.
func (req *ocsRequest) decodeAccountInfo(w *walker) error {
	var key, value string
	err := w.fields(accountFields, func(name, text string) {
		switch name {
		case "KEYNAME":
			key = text
		case "KEYVALUE":
			value = text
		}
	})
	if strings.EqualFold(strings.TrimSpace(key), "TAG") {
		req.Report.Facts.Tag = value
	}
	return err
}
