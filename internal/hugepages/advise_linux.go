package hugepages

import (
	"syscall"
	"unsafe"
)

// hugePageBytes is the size of a transparent huge page on the platforms
// cmsim runs on (x86-64 and arm64 with 4 KiB base pages).
const hugePageBytes = 2 << 20

// advise asks for huge pages over the whole 2 MiB pages inside [p, p+n).
// Make ignores its error (no THP support): the advice is only a hint.
func advise(p unsafe.Pointer, n uintptr) error {
	lo := (uintptr(p) + hugePageBytes - 1) &^ (hugePageBytes - 1)
	hi := (uintptr(p) + n) &^ (hugePageBytes - 1)
	if hi <= lo {
		return nil
	}
	if _, _, e := syscall.Syscall(syscall.SYS_MADVISE, lo, hi-lo, syscall.MADV_HUGEPAGE); e != 0 {
		return e
	}
	return nil
}
