package monitor

import "time"

// Subsz is the /subsz document: subscription index statistics (summed
// over the selected accounts) and, when asked, one page of
// subscriptions.
type Subsz struct {
	ID  string    `json:"server_id"`
	Now time.Time `json:"now"`
	SublistStats
	Total  int         `json:"total"`
	Offset int         `json:"offset"`
	Limit  int         `json:"limit"`
	Subs   []SubDetail `json:"subscriptions_list,omitempty"`
}

// SublistStats describes a subscription index and its match cache.
type SublistStats struct {
	NumSubs      uint32  `json:"num_subscriptions"`
	NumCache     uint32  `json:"num_cache"`
	NumInserts   uint64  `json:"num_inserts"`
	NumRemoves   uint64  `json:"num_removes"`
	NumMatches   uint64  `json:"num_matches"`
	CacheHitRate float64 `json:"cache_hit_rate"`
	MaxFanout    uint32  `json:"max_fanout"`
	AvgFanout    float64 `json:"avg_fanout"`
}

// Add sums other into st, as nats-server sums the indexes of several
// accounts: counters add up, the maximum fanout is the largest, the hit
// rate is weighted by matches and the average fanout by cached subjects.
func (st *SublistStats) Add(other SublistStats) {
	st.CacheHitRate = weighted(st.CacheHitRate, float64(st.NumMatches), other.CacheHitRate, float64(other.NumMatches))
	st.AvgFanout = weighted(st.AvgFanout, float64(st.NumCache), other.AvgFanout, float64(other.NumCache))
	st.NumSubs += other.NumSubs
	st.NumCache += other.NumCache
	st.NumInserts += other.NumInserts
	st.NumRemoves += other.NumRemoves
	st.NumMatches += other.NumMatches
	st.MaxFanout = max(st.MaxFanout, other.MaxFanout)
}

// weighted is the mean of a and b weighted by wa and wb (0 if both are 0).
func weighted(a, wa, b, wb float64) float64 {
	if wa+wb == 0 {
		return 0
	}
	return (a*wa + b*wb) / (wa + wb)
}
