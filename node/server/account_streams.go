package server

import (
	"fmt"

	"jsnode/node/mapping"
	"jsnode/node/subject"
)

// Stream imports and their shadow subscriptions.
//
// A subscription S in the importing account A that overlaps an import's
// local subject L gets one shadow subscription in the exporting account B
// on B's side of (S ∩ L). The shadow has the real subscription's queue
// group, is counted as B's interest towards the routes, and is removed
// with it. A message on subject X in B that matches the shadow is
// delivered to the real subscriber as the import maps X into A's space.
// Imports chain (A imports from B, which imports from C): a shadow in B
// gets its own shadow in C, up to maxImportDepth levels, never through an
// account already on the chain.

// maxImportDepth bounds chains of stream imports (nats-server's cycle
// search depth is the same order: 1024 accounts).
const maxImportDepth = 16

// streamImport is one stream import of account acc from exporter.
type streamImport struct {
	acc      *Account
	exporter *Account
	from     string             // the exporter's subject (wildcards allowed)
	to       string             // the local subject pattern (wildcards as '*', '>')
	prefix   string             // when set: to = prefix + from
	usePub   bool               // to == from: subjects are delivered as published
	tr       *mapping.Transform // from -> to, when neither prefix nor usePub
	rtr      *mapping.Transform // to -> from
}

func (a *Account) addStreamImport(exp *Account, from, to, prefix string) error {
	if exp.findExport(false, from, a) == nil {
		return fmt.Errorf("Error adding stream import %q: stream import not authorized", from)
	}
	im := &streamImport{acc: a, exporter: exp, from: from, prefix: prefix}
	switch {
	case prefix != "":
		if prefix[len(prefix)-1] != '.' {
			im.prefix += "."
		}
		im.to = im.prefix + from
	case to == "" || to == from:
		im.to, im.usePub = from, true
	default:
		tr, err := mapping.NewStrict(from, transformTokenize(to))
		if err != nil {
			return fmt.Errorf("failed to create mapping transform for stream import subject from %q to %q: %v", from, to, err)
		}
		rtr, err := tr.Reverse()
		if err != nil {
			return fmt.Errorf("failed to create mapping transform for stream import subject from %q to %q: %v", from, to, err)
		}
		im.to, im.tr, im.rtr = transformUntokenize(to), tr, rtr
	}
	a.streamImports = append(a.streamImports, im)
	return nil
}

// toLocal maps a subject published in the exporter into the importer.
func (im *streamImport) toLocal(subj string) string {
	switch {
	case im.usePub:
		return subj
	case im.prefix != "":
		return im.prefix + subj
	}
	out, err := im.tr.Apply(subj, nil)
	if err != nil {
		return ""
	}
	return out
}

// toExporter maps a local pattern (a subset of im.to) to the exporter's
// side.
func (im *streamImport) toExporter(pattern string) (string, bool) {
	switch {
	case im.usePub:
		return pattern, true
	case im.prefix != "":
		return pattern[len(im.prefix):], true
	}
	out, err := im.rtr.ApplyPattern(pattern)
	return out, err == nil
}

// addShadows gives sub (in account a) its shadow subscriptions in the
// accounts a imports streams from.
func (a *Account) addShadows(sub *subscription, depth int) {
	if depth >= maxImportDepth || len(a.streamImports) == 0 {
		return
	}
	for _, im := range a.streamImports {
		overlap, ok := subject.Intersect(sub.subject, im.to)
		if !ok || im.exporter.onChain(sub) {
			continue
		}
		subj, ok := im.toExporter(overlap)
		if !ok || !subject.ValidSubscribe(subj) {
			continue
		}
		sh := &subscription{client: sub.client, subject: subj, queue: sub.queue, sid: sub.sid,
			sidBytes: sub.sidBytes, seq: sub.seq, im: im, shadowOf: sub, acc: im.exporter}
		if err := im.exporter.index.Insert(sh.subject, sh.queue, sh); err != nil {
			continue
		}
		sub.shadows = append(sub.shadows, sh)
		im.exporter.localSubAdded(sh)
		im.exporter.addShadows(sh, depth+1)
	}
}

// onChain reports whether account a is already on sub's import chain.
func (a *Account) onChain(sub *subscription) bool {
	for s := sub; s != nil; s = s.shadowOf {
		if s.acc == a {
			return true
		}
	}
	return false
}

// removeShadows drops sub's shadows (and theirs).
func removeShadows(sub *subscription) {
	for _, sh := range sub.shadows {
		dropShadow(sh)
	}
	sub.shadows = nil
}

// dropShadow removes one shadow and its own shadows.
func dropShadow(sh *subscription) {
	if sh.removed {
		return
	}
	sh.removed = true
	sh.acc.index.Remove(sh.subject, sh.queue, sh)
	sh.acc.localSubRemoved(sh)
	removeShadows(sh)
}

// resolveShadow follows a shadow subscription to the real one, mapping
// subj into each importer's space on the way. ok is false when the
// mapping fails.
func resolveShadow(sub *subscription, subj []byte) (*subscription, []byte, bool) {
	for sub.im != nil {
		local := sub.im.toLocal(string(subj))
		if local == "" {
			return nil, nil, false
		}
		subj = []byte(local)
		sub = sub.shadowOf
	}
	return sub, subj, !sub.removed
}
