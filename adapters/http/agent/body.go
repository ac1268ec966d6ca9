package agent

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"

	"github.com/parc-hq/parc/domain"
)

// compression of a body, recognised by its first bytes: the OCS agent
// labels zlib, gzip and plain XML alike "application/x-compress".
type compression int

const (
	plain compression = iota
	zlibbed
	gzipped
)

// errTooLarge is a body that inflates past the limit. It matches
// domain.ErrInvalid so that the callers' classifiers know it.
var errTooLarge = domain.Rejected("the body inflates past its limit")

// sniff tells a body's compression from its first two bytes: 78 xx with a
// valid zlib header check (RFC 1950), 1F 8B for gzip, anything else plain.
func sniff(head []byte) compression {
	switch {
	case len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		return gzipped
	case len(head) >= 2 && head[0] == 0x78 && (uint16(head[0])<<8|uint16(head[1]))%31 == 0:
		return zlibbed
	}
	return plain
}

// inflate reads body as its first bytes say, never more than limit bytes
// once inflated: reading past them fails with errTooLarge, so a zip bomb
// stops as soon as it reaches the limit and the rest is never inflated.
func inflate(body io.Reader, limit int64) (io.Reader, compression, error) {
	br := bufio.NewReader(body)
	head, err := br.Peek(2)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, plain, fmt.Errorf("read the body: %w", err)
	}
	kind := sniff(head)
	var r io.Reader = br
	switch kind {
	case zlibbed:
		zr, err := zlib.NewReader(br)
		if err != nil {
			return nil, kind, domain.Rejected("the body is not valid zlib data")
		}
		r = zr
	case gzipped:
		gr, err := gzip.NewReader(br)
		if err != nil {
			return nil, kind, domain.Rejected("the body is not valid gzip data")
		}
		gr.Multistream(false)
		r = gr
	}
	return &capped{r: r, left: limit}, kind, nil
}

// capped fails with errTooLarge once more than its limit was read.
type capped struct {
	r    io.Reader
	left int64
}

func (c *capped) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// One byte more says whether the body really goes on.
		var one [1]byte
		if n, err := c.r.Read(one[:]); n > 0 {
			return 0, errTooLarge
		} else if err != nil {
			return 0, corrupt(err)
		}
		return 0, nil
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, corrupt(err)
}

// corrupt words a decompressor's failure as bad input.
func corrupt(err error) error {
	switch {
	case err == nil, errors.Is(err, io.EOF), errors.Is(err, domain.ErrInvalid):
		return err
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, zlib.ErrChecksum), errors.Is(err, zlib.ErrHeader),
		errors.Is(err, gzip.ErrChecksum), errors.Is(err, gzip.ErrHeader):
		return domain.Rejected("the body is truncated or corrupt")
	}
	var bad flate.CorruptInputError
	if errors.As(err, &bad) {
		return domain.Rejected("the body is corrupt (%v)", err)
	}
	return err
}

// compress returns b compressed as kind, zlib at the default level (first
// bytes 78 9C, the only form both Debian agents accept).
func compress(b []byte, kind compression) []byte {
	var buf bytes.Buffer
	switch kind {
	case zlibbed:
		w := zlib.NewWriter(&buf)
		_, _ = w.Write(b) // writes to a bytes.Buffer do not fail
		_ = w.Close()
	case gzipped:
		w := gzip.NewWriter(&buf)
		_, _ = w.Write(b)
		_ = w.Close()
	default:
		return b
	}
	return buf.Bytes()
}
