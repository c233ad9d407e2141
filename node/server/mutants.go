package server

import "jsnode/node/mutant"

// Helpers of the mutants planted in this package (node/mutant); the sites
// call them only when their mutant is planted, never in an ordinary build.

// deliverAgain hands a queue message that member taken already took to
// the next member too (queue-double-delivery).
func (s *Server) deliverAgain(src *client, members []*subscription, taken int, subj, reply []byte, hdrLen int, msg []byte) {
	if n := len(members); n > 1 {
		s.deliver(src, members[(taken+1)%n], subj, reply, hdrLen, msg)
	}
}

// staleReply returns the reply subject of the previous message delivered
// with one, and remembers this one (reply-wrong-requester): one message
// in 20 goes out with another's reply subject.
func (s *Server) staleReply(reply []byte) []byte {
	if len(reply) == 0 {
		return reply
	}
	prev := s.mutantReply
	s.mutantReply = append([]byte(nil), reply...)
	if prev == nil || !mutant.Every(mutant.ReplyWrongRequester, 20) {
		return reply
	}
	return prev
}
