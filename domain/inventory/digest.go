package inventory

import (
	"cmp"
	"crypto/sha256"
	"slices"
)

// Digest is the fingerprint of a computer's present software: SHA-256 of
// its programs' keys and versions, in key order. Two lists with the same
// digest name the same programs at the same versions, so a push whose
// digest equals the stored one changes nothing on that computer (no
// installation, update or removal, whether in full mode or not) and its
// installations need not be read. Spellings are left out: a re-push never
// changes the stored spelling.
type Digest [sha256.Size]byte

// ComputerDigest is the digest a computer's present software has once a
// plan is written.
type ComputerDigest struct {
	ComputerID string
	Digest     Digest
}

// keyVersion is what a digest covers of one installation.
type keyVersion struct{ key, version string }

// digestOf computes the digest of one computer's programs; list must be
// sorted by key with distinct keys. Keys and versions hold no control
// character (validation), so a NUL separates them unambiguously.
func digestOf(list []keyVersion) Digest {
	h := sha256.New()
	buf := make([]byte, 0, 256)
	for _, kv := range list {
		buf = append(append(append(append(buf[:0], kv.key...), 0), kv.version...), 0)
		h.Write(buf)
	}
	var d Digest
	h.Sum(d[:0])
	return d
}

// PushDigests is, for each of computerIDs, the digest of the programs that
// pushed names for it (of several records with the same key, the last one
// wins, as in Merge), and how many distinct programs that is. A computer
// that pushed does not name has the digest of an empty list.
func PushDigests(computerIDs []string, pushed []Desired) (map[string]Digest, map[string]int) {
	type item struct {
		computer string
		kv       keyVersion
		order    int
	}
	items := make([]item, len(pushed))
	for i, d := range pushed {
		items[i] = item{d.ComputerID, keyVersion{d.Program.Key(), d.Version}, i}
	}
	slices.SortFunc(items, func(a, b item) int {
		return cmp.Or(cmp.Compare(a.computer, b.computer), cmp.Compare(a.kv.key, b.kv.key), cmp.Compare(a.order, b.order))
	})
	digests := make(map[string]Digest, len(computerIDs))
	counts := make(map[string]int, len(computerIDs))
	list := make([]keyVersion, 0, 128)
	for i := 0; i < len(items); {
		j := i
		list = list[:0]
		for ; j < len(items) && items[j].computer == items[i].computer; j++ {
			if j+1 < len(items) && items[j+1].computer == items[j].computer && items[j+1].kv.key == items[j].kv.key {
				continue // a later record of the same program wins
			}
			list = append(list, items[j].kv)
		}
		digests[items[i].computer], counts[items[i].computer] = digestOf(list), len(list)
		i = j
	}
	for _, id := range computerIDs {
		if _, ok := digests[id]; !ok {
			digests[id] = digestOf(nil)
		}
	}
	return digests, counts
}

// StoredDigests is, for each of computerIDs, the digest of its present
// software once plan is written over stored (the installations plan was
// merged from).
func StoredDigests(computerIDs []string, stored []Installation, plan Plan) []ComputerDigest {
	present := make([]Installation, 0, len(stored)+len(plan.Installs))
	writes := plan.Writes()
	sorted := slices.SortedFunc(slices.Values(stored), compareInstallations)
	// Both lists are sorted by key: a merge of the two, the write winning.
	i, j := 0, 0
	for i < len(sorted) || j < len(writes) {
		var next Installation
		switch {
		case j == len(writes) || (i < len(sorted) && compareInstallations(sorted[i], writes[j]) < 0):
			next, i = sorted[i], i+1
		case i == len(sorted) || compareInstallations(sorted[i], writes[j]) > 0:
			next, j = writes[j], j+1
		default:
			next, i, j = writes[j], i+1, j+1
		}
		if !next.Removed {
			present = append(present, next)
		}
	}
	byComputer := make(map[string]Digest, len(computerIDs))
	list := make([]keyVersion, 0, 128)
	for i := 0; i < len(present); {
		j := i
		list = list[:0]
		for ; j < len(present) && present[j].ComputerID == present[i].ComputerID; j++ {
			list = append(list, keyVersion{present[j].Program.Key(), present[j].Version})
		}
		byComputer[present[i].ComputerID] = digestOf(list)
		i = j
	}
	out := make([]ComputerDigest, len(computerIDs))
	for k, id := range computerIDs {
		d, ok := byComputer[id]
		if !ok {
			d = digestOf(nil)
		}
		out[k] = ComputerDigest{ComputerID: id, Digest: d}
	}
	return out
}
