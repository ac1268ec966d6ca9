package bench

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The agent benchmark: inventories of 900 packages, as a FusionInventory
// agent sends them (zlib XML to /ocsinventory, one computer per request),
// against the same records pushed as JSON to /client-data?mode=full (one
// computer per request), interleaved in the same run on a `parc serve`
// process: first inventories, then unchanged re-sends, three rounds, medians
// reported. Before them, a burst of concurrent first inventories measures
// the server's peak RSS growth per concurrent inventory.

const (
	agentPackages    = 900
	agentComputers   = 24 // per pass and path
	agentConcurrency = 4  // agents sending at once in the passes
	agentBurst       = 8  // concurrent inventories of the RSS burst
	agentRounds      = 3
)

type agentPackage struct{ name, arch, version string }

// agentPackages is one machine's package list: names and versions shaped
// like Debian's, some multi-arch.
func agentPackageList() []agentPackage {
	out := make([]agentPackage, agentPackages)
	for i := range out {
		arch := "amd64"
		if i%5 == 0 {
			arch = "all"
		}
		out[i] = agentPackage{name: fmt.Sprintf("lib-bench-package-%03d", i), arch: arch, version: fmt.Sprintf("1:%d.%d.%d-%d+deb12u%d", i%7, i%13, i, i%3, i%4)}
	}
	return out
}

// agentXML is a FusionInventory inventory of computer, zlib-compressed.
func agentXML(b *testing.B, computer string, pkgs []agentPackage) []byte {
	var x strings.Builder
	x.WriteString(`<?xml version="1.0" encoding="UTF-8" ?>` + "\n<REQUEST>\n  <CONTENT>\n")
	fmt.Fprintf(&x, "    <BIOS>\n      <SMANUFACTURER>Dell Inc.</SMANUFACTURER>\n      <SMODEL>OptiPlex 7010</SMODEL>\n      <SSN>SN-%s</SSN>\n    </BIOS>\n", computer)
	fmt.Fprintf(&x, "    <HARDWARE>\n      <NAME>%s</NAME>\n      <IPADDR>10.1.2.3</IPADDR>\n      <OSNAME>Debian GNU/Linux 12 (bookworm)</OSNAME>\n    </HARDWARE>\n", computer)
	x.WriteString("    <OPERATINGSYSTEM>\n      <NAME>Debian GNU/Linux</NAME>\n      <VERSION>12.11</VERSION>\n    </OPERATINGSYSTEM>\n")
	for _, p := range pkgs {
		fmt.Fprintf(&x, "    <SOFTWARES>\n      <ARCH>%s</ARCH>\n      <FILESIZE>1234</FILESIZE>\n      <FROM>deb</FROM>\n      <NAME>%s</NAME>\n      <PUBLISHER>Debian</PUBLISHER>\n      <SYSTEM_CATEGORY>libs</SYSTEM_CATEGORY>\n      <VERSION>%s</VERSION>\n    </SOFTWARES>\n", p.arch, p.name, p.version)
	}
	fmt.Fprintf(&x, "  </CONTENT>\n  <DEVICEID>%s-2026-11-27-06-10-53</DEVICEID>\n  <QUERY>INVENTORY</QUERY>\n</REQUEST>\n", strings.ToLower(computer))
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	if _, err := w.Write([]byte(x.String())); err != nil {
		b.Fatal(err)
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// agentJSON is the same computer's records for POST /client-data, named as
// the agent path names them (name:arch).
func agentJSON(b *testing.B, computer string, pkgs []agentPackage) []byte {
	recs := make([]benchRecord, len(pkgs))
	for i, p := range pkgs {
		recs[i] = benchRecord{ComputerName: computer, IPAddress: "10.1.2.3", Program: p.name + ":" + p.arch, Version: p.version}
	}
	raw, err := json.Marshal(recs)
	if err != nil {
		b.Fatal(err)
	}
	return raw
}

// sendAll sends every body with n senders at once and answers the time it
// took; any failure ends the benchmark.
func sendAll(b *testing.B, n int, bodies [][]byte, one func(body []byte) error) time.Duration {
	b.Helper()
	start := time.Now()
	work := make(chan []byte)
	errs := make(chan error, len(bodies))
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for body := range work {
				if err := one(body); err != nil {
					errs <- err
				}
			}
		}()
	}
	for _, body := range bodies {
		work <- body
	}
	close(work)
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	return elapsed
}

func (s *parcServer) agentSender(client *http.Client) func([]byte) error {
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte("agent:"+s.key))
	return func(body []byte) error {
		req, err := http.NewRequest(http.MethodPost, s.base+"/ocsinventory", bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/x-compress-zlib")
		req.Header.Set("User-Agent", "FusionInventory-Agent_v2.6-3")
		req.Header.Set("Authorization", auth)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var drain bytes.Buffer
		_, _ = drain.ReadFrom(resp.Body)
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("agent inventory: status %d", resp.StatusCode)
		}
		return nil
	}
}

func (s *parcServer) jsonSender(client *http.Client) func([]byte) error {
	return func(body []byte) error {
		resp, out, err := send(client, http.MethodPost, s.base+"/client-data?mode=full", s.key, body)
		if err == nil && (resp.StatusCode != http.StatusOK || !bytes.Contains(out, []byte(`"success"`))) {
			err = fmt.Errorf("client-data: status %d: %.200s", resp.StatusCode, out)
		}
		return err
	}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func BenchmarkAgentInventory(b *testing.B) {
	pkgs := agentPackageList()
	for _, name := range []string{"postgres", "mysql", "sqlite"} {
		b.Run(name, func(b *testing.B) {
			target := backend(b, name)
			srv := startParc(b, target)
			client := &http.Client{Timeout: 5 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: agentBurst}}
			agent, push := srv.agentSender(client), srv.jsonSender(client)
			if err := agent(agentXML(b, "WARM-AGENT", pkgs[:10])); err != nil {
				b.Fatal(err)
			}
			if err := push(agentJSON(b, "WARM-JSON", pkgs[:10])); err != nil {
				b.Fatal(err)
			}

			before := srv.memKiB(b, "VmHWM")
			burst := make([][]byte, agentBurst)
			for i := range burst {
				burst[i] = agentXML(b, fmt.Sprintf("BURST-%02d", i), pkgs)
			}
			sendAll(b, agentBurst, burst, agent)
			perInventory := float64(srv.memKiB(b, "VmHWM")-before) / 1024 / agentBurst

			// rates[path][pass] holds one inventories/s figure per round.
			rates := map[string]map[string][]float64{"agent": {}, "json": {}}
			for round := range agentRounds {
				agentBodies, jsonBodies := make([][]byte, agentComputers), make([][]byte, agentComputers)
				for i := range agentComputers {
					agentBodies[i] = agentXML(b, fmt.Sprintf("AGENT-%d-%03d", round, i), pkgs)
					jsonBodies[i] = agentJSON(b, fmt.Sprintf("JSON-%d-%03d", round, i), pkgs)
				}
				for _, pass := range []string{"first", "unchanged"} {
					rate := func(d time.Duration) float64 { return agentComputers / d.Seconds() }
					rates["agent"][pass] = append(rates["agent"][pass], rate(sendAll(b, agentConcurrency, agentBodies, agent)))
					rates["json"][pass] = append(rates["json"][pass], rate(sendAll(b, agentConcurrency, jsonBodies, push)))
				}
			}

			b.Logf("agent inventories on %s: %d packages each, %d computers per pass, %d senders, median of %d rounds",
				name, agentPackages, agentComputers, agentConcurrency, agentRounds)
			b.Logf("%-10s %14s %14s %7s", "pass", "agent inv/s", "JSON inv/s", "ratio")
			for _, pass := range []string{"first", "unchanged"} {
				a, j := median(rates["agent"][pass]), median(rates["json"][pass])
				b.Logf("%-10s %14.1f %14.1f %7.2f", pass, a, j, a/j)
				b.ReportMetric(a, "agent_inv/s_"+pass)
				b.ReportMetric(j, "json_inv/s_"+pass)
				b.ReportMetric(a/j, "ratio_"+pass)
			}
			b.Logf("peak RSS growth per concurrent inventory (%d at once): %.1f MiB", agentBurst, perInventory)
			b.ReportMetric(perInventory, "rss_MiB/inventory")
		})
	}
}
