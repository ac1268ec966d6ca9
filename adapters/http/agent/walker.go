package agent

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"slices"
	"unicode/utf8"

	"github.com/orisano/gosax"

	"github.com/parc-hq/parc/domain"
)

// walker reads an XML stream event by event. The tokenizer is gosax: it
// finds markup with word-wide byte scans and allocates nothing per token,
// which decodes an inventory several times faster than encoding/xml (whose
// byte-by-byte reading made the agent path three times slower than the
// JSON push of the same records). gosax checks little, so the walker
// checks what an XML parser must for Parc: every end tag closes the element
// open, the document does not end inside an element or a tag, a kept text
// is valid UTF-8 with only the predefined entities and character
// references, no document type declaration is accepted (so no entity is
// ever defined, let alone expanded), and the declared encoding is UTF-8.
type walker struct {
	r    *gosax.Reader
	open []string
	// kind, name and text describe the current event; name and text are
	// valid until the next call.
	kind  uint8
	text  []byte
	cdata bool // text is a CDATA section's: no entity in it
	buf   []byte
	names map[string]string // element names seen, allocated once each
}

// maxNames bounds the element names kept for reuse.
const maxNames = 256

func (w *walker) intern(b []byte) string {
	if s, ok := w.names[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(w.names) < maxNames {
		w.names[s] = s
	}
	return s
}

// Events the walker answers (gosax's, text and CDATA merged).
const (
	evStart = gosax.EventStart
	evEnd   = gosax.EventEnd
	evText  = gosax.EventText
	evEOF   = gosax.EventEOF
)

// walkerBuffer is the tokenizer's first buffer; it grows for a longer token
// (bounded by the inflated body's limit).
const walkerBuffer = 32 << 10

func newWalker(r io.Reader) *walker {
	g := gosax.NewReaderSize(r, walkerBuffer)
	g.EmitSelfClosingTag = true
	return &walker{r: g, names: make(map[string]string, 64)}
}

// next moves to the next element start, element end, text or the end.
func (w *walker) next() (uint8, error) {
	for {
		ev, err := w.r.Event()
		if err != nil {
			return 0, tokenError(err)
		}
		switch ev.Type() {
		case gosax.EventStart:
			return w.start(ev.Bytes)
		case gosax.EventEnd:
			return w.end(ev.Bytes)
		case gosax.EventText:
			w.kind, w.text, w.cdata = evText, ev.Bytes, false
			return evText, nil
		case gosax.EventCData:
			if !bytes.HasPrefix(ev.Bytes, []byte("<![CDATA[")) {
				return 0, invalid("malformed XML: %.16q is not a CDATA section", ev.Bytes)
			}
			w.kind, w.text, w.cdata = evText, ev.Bytes[len("<![CDATA["):len(ev.Bytes)-len("]]>")], true
			return evText, nil
		case gosax.EventDocType:
			return 0, invalid("the XML body holds a document type declaration (%.16s…): not accepted", ev.Bytes)
		case gosax.EventProcessingInstruction:
			if err := checkDeclaration(ev.Bytes); err != nil {
				return 0, err
			}
		case gosax.EventComment:
		case gosax.EventEOF:
			if len(w.open) > 0 {
				return 0, invalid("the XML body is truncated (<%s> is not closed)", w.open[len(w.open)-1])
			}
			w.kind = evEOF
			return evEOF, nil
		default:
			return 0, invalid("the XML body is truncated")
		}
	}
}

// tokenError words what stopped the tokenizer; the body's own errors (its
// limits, its compression) keep their meaning.
func tokenError(err error) error {
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return invalid("the XML body is truncated (it ends inside a tag)")
	case errors.Is(err, domain.ErrInvalid), errors.As(err, &tooBig):
		return err
	}
	return invalid("malformed XML: %v", err)
}

func (w *walker) start(tag []byte) (uint8, error) {
	name, _ := gosax.Name(tag)
	if len(name) == 0 || name[0] == '/' || bytes.ContainsAny(name, "<>&\"'=") {
		return 0, invalid("malformed XML: a tag has no valid name (%.32q)", tag)
	}
	w.open = append(w.open, w.intern(name))
	w.kind = evStart
	return evStart, nil
}

func (w *walker) end(tag []byte) (uint8, error) {
	name, _ := gosax.Name(tag)
	if len(w.open) == 0 {
		return 0, invalid("malformed XML: </%s> closes no element", name)
	}
	if top := w.open[len(w.open)-1]; top != string(name) {
		return 0, invalid("malformed XML: <%s> is closed by </%s>", top, name)
	}
	w.open = w.open[:len(w.open)-1]
	w.kind = evEnd
	return evEnd, nil
}

// checkDeclaration refuses an XML declaration naming another encoding
// than UTF-8: the agents send UTF-8, and nothing else is decoded.
func checkDeclaration(pi []byte) error {
	if !bytes.HasPrefix(pi, []byte("<?xml ")) {
		return nil
	}
	i := bytes.Index(pi, []byte("encoding="))
	if i < 0 {
		return nil
	}
	v := pi[i+len("encoding="):]
	if len(v) > 1 && (v[0] == '"' || v[0] == '\'') {
		if j := bytes.IndexByte(v[1:], v[0]); j >= 0 {
			enc := v[1 : 1+j]
			if bytes.EqualFold(enc, []byte("utf-8")) || bytes.EqualFold(enc, []byte("utf8")) {
				return nil
			}
			return invalid("encoding %q is not supported (send UTF-8)", enc)
		}
	}
	return invalid("malformed XML declaration")
}

// skip reads up to the end of the element whose start was just read.
func (w *walker) skip() error {
	depth := len(w.open) - 1
	for len(w.open) > depth {
		if _, err := w.next(); err != nil {
			return err
		}
	}
	return nil
}

// textOf reads the element whose start was just read and answers its text,
// entities decoded; the text of elements inside it is left out.
func (w *walker) textOf() (string, error) {
	depth := len(w.open)
	w.buf = w.buf[:0]
	for {
		kind, err := w.next()
		if err != nil {
			return "", err
		}
		if len(w.open) < depth {
			break
		}
		if kind != evText || len(w.open) != depth {
			continue
		}
		text := w.text
		if !w.cdata {
			// In place: the event's bytes are not read again.
			if text, err = gosax.Unescape(text); err != nil {
				return "", invalid("malformed XML: %v", err)
			}
		}
		w.buf = append(w.buf, text...)
	}
	if !utf8.Valid(w.buf) {
		return "", invalid("the XML body is not valid UTF-8")
	}
	return string(w.buf), nil
}

// blank reports text made of XML white space only.
func blank(b []byte) bool {
	return len(bytes.Trim(b, " \t\r\n")) == 0
}

// children reads the element whose start was just read up to its end,
// calling fn with the name of each child element as its start is read; fn
// reads that child whole (textOf, skip, fields, children).
func (w *walker) children(fn func(name string) error) error {
	depth := len(w.open)
	for {
		kind, err := w.next()
		if err != nil {
			return err
		}
		if len(w.open) < depth {
			return nil
		}
		if kind == evStart {
			if err := fn(w.open[len(w.open)-1]); err != nil {
				return err
			}
		}
	}
}

// fields reads the element whose start was just read as a record of text
// fields: set is called with the name and text of each child named in
// wanted; the others are read past without being decoded.
func (w *walker) fields(wanted []string, set func(name, text string)) error {
	return w.children(func(name string) error {
		if !slices.Contains(wanted, name) {
			return w.skip()
		}
		text, err := w.textOf()
		if err != nil {
			return err
		}
		set(name, text)
		return nil
	})
}
