package service

import (
	"fmt"
	"testing"
	"time"
)

// TestSpread: keys remembered, or touched, at the same moment fall due at
// moments spread over the window, each the same every time it is asked.
func TestSpread(t *testing.T) {
	at := time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC)
	const window = 15 * time.Second
	var lo, hi time.Duration = window, 0
	seen := map[time.Duration]bool{}
	for i := range 200 {
		hash := HashToken(fmt.Sprintf("fwk_site%d", i))
		d := spread(hash, at, window)
		if d < 0 || d >= window {
			t.Fatalf("spread = %v, outside [0, %v)", d, window)
		}
		if again := spread(hash, at, window); again != d {
			t.Fatalf("spread of one key and moment = %v, then %v", d, again)
		}
		lo, hi = min(lo, d), max(hi, d)
		seen[d] = true
	}
	// 200 keys over 15 s: all distinct, and reaching both ends.
	if len(seen) != 200 || lo > window/10 || hi < window*9/10 {
		t.Errorf("200 keys spread over [%v, %v] with %d distinct values", lo, hi, len(seen))
	}
	// The same key at another moment falls due elsewhere in the window.
	h := HashToken("fwk_site0")
	moved := 0
	for k := range 20 {
		if spread(h, at.Add(time.Duration(k+1)*time.Minute), window) != spread(h, at, window) {
			moved++
		}
	}
	if moved < 19 {
		t.Errorf("one key's spread moved %d times in 20 minutes", moved)
	}
}
