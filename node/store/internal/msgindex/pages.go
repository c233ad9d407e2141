package msgindex

// The slots live in fixed pages rather than one slice: appending never
// copies the index (a stream of millions of messages would otherwise
// move hundreds of megabytes on the loop when the slice grows), and
// pages wholly below the first sequence are freed as it advances.
const (
	pageBits = 12
	pageSize = 1 << pageBits
	pageMask = pageSize - 1
)

// pages holds the slots of sequences from base on.
type pages[P any] struct {
	base uint64 // the sequence of pages[0][0]
	p    [][]slot[P]
}

// at is the slot of seq, which must be at or above base and within the
// allocated pages.
func (ps *pages[P]) at(seq uint64) *slot[P] {
	i := seq - ps.base
	return &ps.p[i>>pageBits][i&pageMask]
}

// extend allocates pages up to seq.
func (ps *pages[P]) extend(seq uint64) {
	for (seq-ps.base)>>pageBits >= uint64(len(ps.p)) {
		ps.p = append(ps.p, make([]slot[P], pageSize))
	}
}

// restart empties the pages so that seq is the first slot.
func (ps *pages[P]) restart(seq uint64) {
	clear(ps.p)
	ps.p = ps.p[:0]
	ps.base = seq &^ pageMask
}

// freeBelow releases the pages holding only sequences below first.
func (ps *pages[P]) freeBelow(first uint64) {
	n := 0
	for n < len(ps.p) && ps.base+pageSize <= first {
		ps.p[n] = nil
		ps.base += pageSize
		n++
	}
	if n > 0 {
		ps.p = append(ps.p[:0], ps.p[n:]...)
	}
}
