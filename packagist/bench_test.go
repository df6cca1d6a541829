package packagist_test

import "testing"

// BenchmarkCheckLibraries judges one site's libraries (210-275 packages)
// against the cached fixture advisories, as the analysis of a pushed
// inventory does. Budget: 3 ms per inventory.
func BenchmarkCheckLibraries(b *testing.B) {
	set := mustReadSet(b)
	for _, site := range sites {
		libs := mustReadLock(b, site).Libraries
		b.Run(site, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				set.CheckLibraries(libs)
			}
		})
	}
}
