package mapping

import (
	"errors"
	"fmt"
	"math"
	"testing"
)

const (
	outOfRange = "invalid mapping destination: wildcard index out of range in "
	notEnough  = "invalid mapping destination: not enough arguments passed to the function in "
	tooMany    = "invalid mapping destination: too many arguments passed to the function in "
	invalidArg = "invalid mapping destination: function argument is invalid or in the wrong format in "
	unknown    = "invalid mapping destination: unknown function in "
	strictOnly = "invalid mapping destination: the only mapping function allowed for import transforms is {{Wildcard()}} in "
	notAll     = "invalid mapping destination: not using all of the token wildcard(s) in "
	badToken   = "invalid mapping destination: invalid transform in "
)

func TestConstructorErrors(t *testing.T) {
	for _, c := range []struct {
		src, dst string
		strict   bool
		want     string
	}{
		// Subjects.
		{"foo..", "bar", false, "invalid subject"},
		{"foo bar", "bar", false, "invalid subject"},
		{"foo.>.x", "bar", false, "invalid subject"},
		{"foo.*", "bar.*", false, "invalid subject"},
		{"foo.*", "bar.$1.>", false, "invalid subject"},
		{"foo.>", "bar.baz", false, "invalid subject"},
		{"foo.*", "", false, "invalid subject"},
		{"foo.*", "foo..$1", true, "invalid subject"},
		// ValidateMapping's token walk (New only).
		{"foo.*", "foo..$1", false, badToken},
		{"foo.>", "bar.>.baz", false, badToken + "baz"},
		{"foo.*", "bar baz.$1", false, "invalid mapping destination: invalid transform"},
		{"foo.*", "foo.{{unimplemented(1)}}", false, unknown + "{{unimplemented(1)}}"},
		{"foo.*", "foo.{{ wildcard5) }}", false, unknown + "{{ wildcard5) }}"},
		{"foo.*", "foo.{{splitLeft(2,2}}", false, unknown + "{{splitLeft(2,2}}"},
		{"foo.*", "foo.{{+wildcard(1)}}", false, unknown + "{{+wildcard(1)}}"},
		{"foo.*", "foo.{{left(1,2)}}", false, unknown + "{{left(1,2)}}"},
		{"foo.*", "{{nope(1)}}", true, unknown + "{{nope(1)}}"},
		// Wildcard indexes.
		{"foo.*", "bar.$2", false, outOfRange + "$2: [2]"},
		{"foo.*", "foo.{{wildcard(2)}}", false, outOfRange + "{{wildcard(2)}}: [2]"},
		{"foo.*", "foo.{{wildcard(3)}}", true, outOfRange + "{{wildcard(3)}}: [3]"},
		{"foo.*", "p.{{partition(3,1,4)}}", false, outOfRange + "{{partition(3,1,4)}}: [4]"},
		{"foo.>", "{{wildcard(1)}}.>", false, outOfRange + "{{wildcard(1)}}: [1]"},
		{"foo", "bla.{{wildcard(1)}}", false, outOfRange + "{{wildcard(1)}}"},
		{"foo", "bla.$1", false, outOfRange + "$1"},
		{"foo", "{{split(1,-)}}", false, outOfRange + "{{split(1,-)}}"},
		// Arity and argument format.
		{"foo.*", "foo.{{wildcard()}}", false, notEnough + "{{wildcard()}}"},
		{"foo.*", "foo.{{wildcard(1,2)}}", false, tooMany + "{{wildcard(1,2)}}"},
		{"foo.*", "foo.{{wildcard(foo)}}", false, invalidArg + "{{wildcard(foo)}}"},
		{"foo.*", "foo.{{wildcard(\t1)}}", false, invalidArg + "{{wildcard(\t1)}}"},
		{"foo.*", "foo.{{partition()}}", false, invalidArg + "{{partition()}}"},
		{"foo.*", "foo.{{partition(3,x)}}", false, invalidArg + "{{partition(3,x)}}"},
		{"foo.*", fmt.Sprintf("foo.{{partition(%d)}}", math.MaxInt32+1), false, invalidArg + "{{partition(2147483648)}}"},
		{"foo.*", "foo.{{random()}}", false, invalidArg + "{{random()}}"},
		{"foo.*", "foo.{{random(1,2)}}", false, notEnough + "{{random(1,2)}}"},
		{"foo.*", fmt.Sprintf("foo.{{random(%d)}}", math.MaxInt32+1), false, invalidArg + "{{random(2147483648)}}"},
		{"foo.*", "foo.{{splitFromLeft(1)}}", false, notEnough + "{{splitFromLeft(1)}}"},
		{"foo.*", "foo.{{splitFromRight(1,2,3)}}", false, tooMany + "{{splitFromRight(1,2,3)}}"},
		{"foo.*", "foo.{{sliceFromLeft(x,2)}}", false, invalidArg + "{{sliceFromLeft(x,2)}}"},
		{"foo.*", "foo.{{sliceFromRight(1,2147483648)}}", false, invalidArg + "{{sliceFromRight(1,2147483648)}}"},
		{"foo.*", "foo.{{split(1)}}", false, notEnough + "{{split(1)}}"},
		{"foo.*", "foo.{{split(1,-,+)}}", false, tooMany + "{{split(1,-,+)}}"},
		{"foo.*", "foo.{{split(1,- )}}", false, invalidArg + "{{split(1,- )}}"},
		{"foo.*", "foo.{{split(x,-)}}", false, invalidArg + "{{split(x,-)}}"},
		// Strict (import) transforms.
		{"foo.*", "bar.{{Partition(2,1)}}", true, strictOnly + "{{Partition(2,1)}}"},
		{"foo.*", "bar.{{left(1,2)}}", true, strictOnly + "{{left(1,2)}}"},
		{"foo.*", "bar.{{random(3)}}.$1", true, strictOnly + "{{random(3)}}"},
		{"foo.*.*", "bar.$2", true, notAll + "bar.$2"},
		{"foo.*", "foo.$foo", true, notAll + "foo.$foo"},
	} {
		build := New
		if c.strict {
			build = NewStrict
		}
		tr, err := build(c.src, c.dst)
		if err == nil || err.Error() != c.want {
			t.Errorf("(%q, %q, strict=%v) = %v, %v; want %q", c.src, c.dst, c.strict, tr, err, c.want)
			continue
		}
		isDest := errors.Is(err, ErrInvalidMappingDestination)
		if isDest == errors.Is(err, ErrBadSubject) {
			t.Errorf("(%q, %q): %v is neither or both of ErrBadSubject and ErrInvalidMappingDestination", c.src, c.dst, err)
		}
	}
}

func TestConstructorAccepts(t *testing.T) {
	for _, c := range []struct {
		src, dst string
		strict   bool
	}{
		{"foo.*", "bar.{{Wildcard(1)}}", true},
		{"foo.*.*", "bar.$1.$1", true}, // nats-server counts references, not distinct wildcards
		{"foo", "bar.{{partition(3)}}", true},
		{"foo.bar", "x.{{random(5)}}", true},
		{"foo.>", "bar.>", true},
		{"", "prefix.>", false},
		{"foo.*", "bar.{{partition(1)}}", false},
		{"foo.*", "bar.{{random(5)}}", false},
		{"foo.*", fmt.Sprintf("foo.{{partition(%d)}}", math.MaxInt32), false},
		{"*", "{{ Partition (10,1) }}", false},
		{"*", "{{split(1, -)}}", false},
		{"foo.*", "foo.{{split(1,a.b)}}", false}, // the dot splits the token: two literals
	} {
		build := New
		if c.strict {
			build = NewStrict
		}
		if _, err := build(c.src, c.dst); err != nil {
			t.Errorf("(%q, %q, strict=%v): %v", c.src, c.dst, c.strict, err)
		}
	}
}
