package raftgroup

import (
	"strconv"

	"jsnode/node/raft"
)

// FNV-1a 64-bit parameters for member IDs.
const (
	fnvOffset64 = 14695981039346656037
	fnvPrime64  = 1099511628211
)

// SubjectPrefix starts every subject the groups use.
const SubjectPrefix = "$NRG."

// MemberID derives a member's raft ID from its server name: the FNV-1a
// hash of the name (never raft.None). Every server computes the same ID
// for a name, so peers need no ID exchange.
func MemberID(serverName string) raft.ID {
	h := uint64(fnvOffset64)
	for i := 0; i < len(serverName); i++ {
		h ^= uint64(serverName[i])
		h *= fnvPrime64
	}
	if raft.ID(h) == raft.None {
		return 1
	}
	return raft.ID(h)
}

// MemberToken renders a member ID as the 16 hex digits used in subjects.
func MemberToken(id raft.ID) string {
	s := strconv.FormatUint(uint64(id), 16)
	for len(s) < 16 {
		s = "0" + s
	}
	return s
}

// ParseMemberToken is the inverse of MemberToken.
func ParseMemberToken(tok string) (raft.ID, bool) {
	if len(tok) != 16 {
		return raft.None, false
	}
	v, err := strconv.ParseUint(tok, 16, 64)
	if err != nil || v == 0 {
		return raft.None, false
	}
	return raft.ID(v), true
}

// MemberSubject is the subject member id of group listens on:
// "$NRG.<group>.<16 hex digits of id>".
func MemberSubject(group string, id raft.ID) string {
	return SubjectPrefix + group + "." + MemberToken(id)
}
