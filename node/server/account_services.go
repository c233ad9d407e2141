package server

import (
	"fmt"
	"maps"
	"slices"

	"jsnode/node/mapping"
	"jsnode/node/subject"
)

// Service imports. A client in the importing account publishes a request
// to the import's local subject; the server re-publishes it in the
// exporting account on the exported subject, with the reply replaced by
// a fresh "_R_.<prefix>.<id>" subject of the exporter, and remembers where
// that reply leads (responses.go). Only the server the requester is on
// does this: a request that arrives from a route is already in the
// exporter's space.

// serviceImport is one service import of account acc from exporter.
type serviceImport struct {
	acc      *Account
	exporter *Account
	from     string             // local subject (what acc's clients publish to)
	to       string             // the exporter's subject
	tr       *mapping.Transform // from -> to, for wildcards with to != from
	export   *export
	share    bool
	// system is set for the imports the server adds into every account
	// (requests served by the system account).
	system bool
}

// serviceImports finds the import for a published subject: literal local
// subjects by map lookup, wildcard ones in config order.
type serviceImports struct {
	exact map[string]*serviceImport
	wild  []*serviceImport
	n     int
	// lens has bit i set when a literal local subject has length i (or
	// bit 63 for any length >= 63): most publishes miss every import, and
	// this rejects them without hashing the subject.
	lens uint64
}

func lenBit(n int) uint64 { return 1 << min(n, 63) }

func (si *serviceImports) add(im *serviceImport) {
	si.n++
	if subject.IsLiteral(im.from) {
		if si.exact == nil {
			si.exact = make(map[string]*serviceImport)
		}
		si.exact[im.from] = im
		si.lens |= lenBit(len(im.from))
		return
	}
	si.wild = append(si.wild, im)
}

// find returns the import for the literal subject subj, or nil.
func (si *serviceImports) find(subj []byte) *serviceImport {
	if si.n == 0 {
		return nil
	}
	if si.lens&lenBit(len(subj)) != 0 {
		if im := si.exact[string(subj)]; im != nil {
			return im
		}
	}
	for _, im := range si.wild {
		if subject.Match(im.from, string(subj)) {
			return im
		}
	}
	return nil
}

// all lists the imports, literal ones first in subject order.
func (si *serviceImports) all() []*serviceImport {
	out := make([]*serviceImport, 0, si.n)
	for _, k := range slices.Sorted(maps.Keys(si.exact)) {
		out = append(out, si.exact[k])
	}
	return append(out, si.wild...)
}

// addServiceImport imports exp's service subject subj; local (default
// subj) is what this account's clients publish to.
func (a *Account) addServiceImport(exp *Account, subj, local string, share bool) (*serviceImport, error) {
	if local == "" {
		local = subj
	}
	e := exp.findExport(true, subj, a)
	if e == nil {
		return nil, fmt.Errorf("Error adding service import %q: service import not authorized", subj)
	}
	im := &serviceImport{acc: a, exporter: exp, from: local, to: subj, export: e, share: share}
	if local != subj && !subject.IsLiteral(subj) {
		tr, err := mapping.NewStrict(local, transformTokenize(subj))
		if err != nil {
			return nil, fmt.Errorf("failed to create mapping transform for service import subject from %q to %q: %v", local, subj, err)
		}
		im.tr = tr
	}
	a.serviceImports.add(im)
	return im, nil
}

// exporterSubject maps a published local subject to the exporter's.
func (im *serviceImport) exporterSubject(subj []byte) ([]byte, bool) {
	switch {
	case im.tr != nil:
		out, err := im.tr.Apply(string(subj), nil)
		if err != nil {
			return nil, false
		}
		return []byte(out), true
	case subject.IsLiteral(im.to):
		return []byte(im.to), true
	}
	return subj, true
}

// processServiceImport re-publishes a request from src (in im.acc) in the
// exporting account. It reports whether anyone there received it.
func (s *Server) processServiceImport(src *client, im *serviceImport, subj, reply []byte, hdrLen int, msg []byte) bool {
	exp := im.exporter
	to, ok := im.exporterSubject(subj)
	if !ok {
		return false
	}
	if mapped, keep := exp.mapSubject(to); !keep {
		return false
	} else {
		to = mapped
	}
	var resp *response
	newReply := reply
	if len(reply) > 0 && !hasPrefix(reply, jsAckPrefix) {
		resp = exp.responses.add(exp, im, string(reply))
		if resp == nil {
			return false
		}
		newReply = []byte(resp.reply)
	}
	hdr := requestInfoHeader(src, im, msg[:hdrLen])
	body := make([]byte, 0, len(hdr)+len(msg)-hdrLen)
	body = append(append(body, hdr...), msg[hdrLen:]...)
	delivered := exp.route(src, to, newReply, len(hdr), body)
	if !delivered && resp != nil {
		exp.responses.remove(resp)
	}
	return delivered
}
