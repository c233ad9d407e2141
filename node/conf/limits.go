package conf

// Limits that keep every parse bounded in time, memory and stack, whatever
// the input. Each one, when exceeded, is reported as an *Error with a
// position instead of growing without bound.
const (
	// MaxNestingDepth is how deeply maps and arrays may nest inside one
	// file (the top-level map is depth 0). Parsing is recursive, so this
	// bounds the stack; Format refuses deeper trees so its output always
	// parses again.
	MaxNestingDepth = 64

	// MaxIncludeDepth is how many include directives may be open at once
	// (a file including a file including ...).
	MaxIncludeDepth = 10

	// MaxIncludes is how many include directives one Parse call may
	// process in total, so a few files that include each other many
	// times (without a cycle) cannot fan out exponentially.
	MaxIncludes = 1024

	// MaxEnvDepth is how deeply environment variables may refer to other
	// environment variables ($A whose value is "$B" ...). It also stops
	// a variable whose value refers to itself.
	MaxEnvDepth = 8

	// MaxFileBytes is the largest file (or environment value) accepted.
	MaxFileBytes = 16 << 20

	// maxFormatNodes bounds the values Format visits (as MaxFileBytes
	// bounds its output). Variables share subtrees, so a small file can
	// describe a tree that is exponentially large when written out.
	maxFormatNodes = 1 << 20
)
