package agent

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/parc-hq/parc/domain/inventory"
)

// glpiRequest is a request of GLPI Agent's JSON protocol: a CONTACT or an
// inventory (the fields Parc keeps; the others are ignored). Field names
// match without regard to case, as the inventory format's lower-cased
// sections and older upper-cased ones both appear.
type glpiRequest struct {
	Action   string       `json:"action"`
	DeviceID string       `json:"deviceid"`
	Tag      string       `json:"tag"`
	Content  *glpiContent `json:"content"`
}

type glpiContent struct {
	Hardware struct {
		Name      string `json:"name"`
		IPAddr    string `json:"ipaddr"`
		OSName    string `json:"osname"`
		OSVersion string `json:"osversion"`
	} `json:"hardware"`
	BIOS struct {
		SSN           string `json:"ssn"`
		SManufacturer string `json:"smanufacturer"`
		SModel        string `json:"smodel"`
	} `json:"bios"`
	OperatingSystem struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	} `json:"operatingsystem"`
	Networks []struct {
		IPAddress  string `json:"ipaddress"`
		IPAddress6 string `json:"ipaddress6"`
	} `json:"networks"`
	Softwares []struct {
		Name    string `json:"name"`
		Version string `json:"version"`
		Arch    string `json:"arch"`
	} `json:"softwares"`
	// AccountInfo is an object or a list of {keyname, keyvalue}.
	AccountInfo   json.RawMessage `json:"accountinfo"`
	VersionClient string          `json:"versionclient"`
}

type keyValue struct {
	KeyName  string `json:"keyname"`
	KeyValue string `json:"keyvalue"`
}

// decodeGLPI reads one JSON object from r, and nothing after it.
func decodeGLPI(r io.Reader) (*glpiRequest, error) {
	dec := json.NewDecoder(r)
	var req glpiRequest
	if err := dec.Decode(&req); err != nil {
		return nil, jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, jsonError(err)
		}
		return nil, invalid("the JSON body holds more than one value")
	}
	return &req, nil
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return invalid("malformed JSON at byte %d: %v", syn.Offset, syn)
	case errors.As(err, &typ):
		return invalid("JSON field %q must be %s, not %s", typ.Field, typ.Type, typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return invalid("the JSON body is truncated or empty")
	}
	return fmt.Errorf("read the JSON body: %w", err)
}

// report maps an inventory's content as the XML sections are mapped.
func (req *glpiRequest) report() (inventory.Report, error) {
	c := req.Content
	if c == nil {
		return inventory.Report{}, invalid("the inventory has no content")
	}
	if len(c.Softwares) > inventory.MaxReportSoftware {
		return inventory.Report{}, invalid("the inventory lists more than %d packages", inventory.MaxReportSoftware)
	}
	rep := inventory.Report{Computer: c.Hardware.Name, Software: make([]inventory.Software, len(c.Softwares))}
	for i, s := range c.Softwares {
		rep.Software[i] = inventory.Software{Name: s.Name, Version: s.Version, Arch: s.Arch}
	}
	ips := strings.Split(c.Hardware.IPAddr, "/")
	for _, n := range c.Networks {
		ips = append(ips, n.IPAddress, n.IPAddress6)
	}
	rep.IP = pickIP(ips)
	f := &rep.Facts
	f.Serial, f.Manufacturer, f.Model = c.BIOS.SSN, c.BIOS.SManufacturer, c.BIOS.SModel
	f.OSName, f.OSVersion = c.OperatingSystem.Name, c.OperatingSystem.Version
	if strings.TrimSpace(f.OSName) == "" {
		f.OSName, f.OSVersion = c.Hardware.OSName, c.Hardware.OSVersion
	}
	f.DeviceID, f.Tag = req.DeviceID, req.Tag
	if f.Tag == "" {
		f.Tag = accountTag(c.AccountInfo)
	}
	return rep, nil
}

// accountTag finds the TAG entry of accountinfo, an object or a list.
func accountTag(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var list []keyValue
	if json.Unmarshal(raw, &list) != nil {
		var one keyValue
		if json.Unmarshal(raw, &one) != nil {
			return ""
		}
		list = []keyValue{one}
	}
	for _, kv := range list {
		if strings.EqualFold(strings.TrimSpace(kv.KeyName), "TAG") {
			return kv.KeyValue
		}
	}
	return ""
}
