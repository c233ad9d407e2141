package tcp

import (
	"io"
	"syscall"
	"unsafe"
)

// Raw socket I/O. A system call made the ordinary way (syscall.Read, or
// net.Conn.Read underneath) tells the Go scheduler it is entering a
// system call, and if the process was idle, which between two reads of a
// busy connection it usually is, that wakes the runtime's monitor thread:
// measured under `nats bench pub`, three quarters of the server's futex
// calls and a thread switch per read, for a call that cannot block. These
// reads and writes are on non-blocking sockets and never block, so they
// are made as raw system calls, which skip that bookkeeping; the poller
// still does all the waiting (RawConn.Read). unsafe is needed only to pass
// the buffer's address to the kernel, in the call expression itself, as
// the syscall package's rules require.

// rawRead makes one read(2) of fd into b (not empty).
func rawRead(fd uintptr, b []byte) (int, syscall.Errno) {
	n, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
	return int(n), e
}

// rawWrite makes one write(2) of b (not empty) to fd.
func rawWrite(fd uintptr, b []byte) (int, syscall.Errno) {
	n, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
	return int(n), e
}

// sockReader is one connection reader's state for RawConn.Read; its try
// method is bound once, so that a read allocates nothing.
type sockReader struct {
	b   []byte
	n   int
	err error
}

// try reads once into r.b. It returns false, for the poller to wait until
// the socket is readable and call it again, only when nothing is there.
func (r *sockReader) try(fd uintptr) bool {
	for {
		n, e := rawRead(fd, r.b)
		switch e {
		case 0:
			r.n = n
			if n == 0 {
				r.err = io.EOF
			}
			return true
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		}
		r.err = e
		return true
	}
}
