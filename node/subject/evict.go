package subject

// EvictBytes drops the match cache's result for the literal subject lit,
// if it holds one, exactly as the cache's own eviction does when it fills
// up: the next Match of lit walks the trie again and caches a fresh
// result. Results handed out earlier stay valid, since they are never
// modified. The server's BUGGIFY site "server.subject.cache-evict" uses it
// so that the cache-miss path also runs on the few hot subjects of a
// simulation, which would otherwise always hit.
func (x *Index[S]) EvictBytes(lit []byte) {
	if i, ok := x.cache.at[string(lit)]; ok {
		x.cache.drop(int(i))
	}
}
