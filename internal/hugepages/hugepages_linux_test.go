package hugepages

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
	"unsafe"
)

// TestMakeAdvisesHugePages: on a kernel with transparent huge pages in
// "madvise" or "always" mode, a large array from Make lies in a mapping
// the kernel may back with huge pages (smaps' THPeligible), and its values
// are a plain make's.
func TestMakeAdvisesHugePages(t *testing.T) {
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || !(strings.Contains(string(mode), "[madvise]") || strings.Contains(string(mode), "[always]")) {
		t.Skipf("transparent huge pages are off here (%q)", strings.TrimSpace(string(mode)))
	}
	s := Make[int64](1<<20, 1<<21) // 16 MiB
	if len(s) != 1<<20 || cap(s) != 1<<21 {
		t.Fatalf("len %d cap %d, want %d and %d", len(s), cap(s), 1<<20, 1<<21)
	}
	for i, v := range s {
		if v != 0 {
			t.Fatalf("s[%d] = %d, want 0", i, v)
		}
	}
	// A huge page inside the array, away from its unaligned ends.
	mid := uintptr(unsafe.Pointer(&s[len(s)/2]))
	eligible, err := thpEligible(mid)
	if err != nil {
		t.Fatal(err)
	}
	if !eligible {
		t.Errorf("the array at %#x is not in a THP-eligible mapping after Make", mid)
	}
	// A small array is left alone: its advice would split a mapping for
	// nothing.
	if err := advise(unsafe.Pointer(&s[0]), 4096); err != nil {
		t.Errorf("advising less than a huge page: %v", err)
	}
}

// TestAdviseHeapCoversLaterSmallAllocations: after AdviseHeap, most of the
// small arrays allocated next lie in mappings eligible for huge pages,
// although none asked.
func TestAdviseHeapCoversLaterSmallAllocations(t *testing.T) {
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || !strings.Contains(string(mode), "[madvise]") {
		t.Skipf("transparent huge pages are not in madvise mode here (%q)", strings.TrimSpace(string(mode)))
	}
	AdviseHeap(64 << 20)
	var kept [][]byte
	eligible := 0
	for range 200 {
		b := make([]byte, 64<<10)
		kept = append(kept, b)
		ok, err := thpEligible(uintptr(unsafe.Pointer(&b[0])))
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			eligible++
		}
	}
	if eligible < len(kept)/2 {
		t.Errorf("%d of %d small arrays allocated after AdviseHeap are eligible for huge pages, want most", eligible, len(kept))
	}
}

// thpEligible reads THPeligible of the mapping holding addr from
// /proc/self/smaps.
func thpEligible(addr uintptr) (bool, error) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return false, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in := false
	for sc.Scan() {
		line := sc.Text()
		var lo, hi uintptr
		if n, _ := fmt.Sscanf(line, "%x-%x", &lo, &hi); n == 2 && strings.Contains(line, " ") && !strings.HasSuffix(strings.Fields(line)[0], ":") {
			in = lo <= addr && addr < hi
			continue
		}
		if in && strings.HasPrefix(line, "THPeligible:") {
			return strings.TrimSpace(strings.TrimPrefix(line, "THPeligible:")) == "1", nil
		}
	}
	return false, fmt.Errorf("no mapping holds %#x, or it has no THPeligible line", addr)
}
