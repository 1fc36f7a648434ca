//go:build !linux

package hugepages

import "unsafe"

func advise(p unsafe.Pointer, n uintptr) error { return nil }
