// Package hugepages makes large arrays that the kernel may back with
// transparent huge pages.
//
// On the VMs cmsim is measured on (lazily backed guest memory), touching
// fresh 4 KiB pages costs about 3.5 ms per MB, and a run of two million
// pods touches a gigabyte: seconds of page faults. Asked for huge pages
// (madvise MADV_HUGEPAGE, which the default "madvise" THP mode honours),
// the kernel faults 2 MiB at a time: about a third cheaper when the memory
// is new to the VM, and nearly free when a recent run freed it. Go's heap
// does not ask for huge pages itself (since Go 1.21.1), so the model's
// largest arrays ask.
//
// Only memory the advice covers before its first touch benefits; make
// returns fresh memory untouched. The advice changes no value: it is a
// request about page size, ignored where transparent huge pages are off
// or unsupported.
package hugepages

import (
	"runtime"
	"unsafe"
)

// MinBytes is the smallest array worth advising: a region needs an
// aligned 2 MiB page inside it, and each advice splits a kernel mapping.
const MinBytes = 4 << 20

// Make returns make([]T, n, c), advised to be backed by huge pages when it
// spans at least MinBytes.
func Make[T any](n, c int) []T {
	s := make([]T, n, c)
	if size := uintptr(c) * unsafe.Sizeof(*new(T)); size >= MinBytes {
		advise(unsafe.Pointer(unsafe.SliceData(s)), size) // a hint: errors change nothing
	}
	return s
}

// AdviseHeap grows the Go heap by n bytes of advised, untouched memory
// and frees it (a collection), so that the allocations that follow, small
// ones included, land on memory the kernel backs with huge pages: Go's page
// allocator reuses the lowest free addresses first, and the advice stays
// with the mapping. Call it once, at the start of a process that will
// allocate: it costs a collection of a small heap.
func AdviseHeap(n int) {
	s := Make[byte](n, n)
	runtime.KeepAlive(s)
	s = nil
	runtime.GC()
}
