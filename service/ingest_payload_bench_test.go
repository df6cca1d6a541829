package service

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// benchInventory is a push of 180 projects, as the load generator sends.
func benchInventory() []byte { return benchInventoryWith(0) }

// benchInventoryWith is benchInventory with libraries composer libraries
// (a composer.lock holds 150-300), as the load generator's --libraries.
func benchInventoryWith(libraries int) []byte {
	var b strings.Builder
	b.WriteString(`{"collected_at":"2026-11-25T10:00:00.123456Z","drupal":{"core_version":"10.3.6","php_version":"8.3.1"},"modules":[{"name":"drupal","type":"core","version":"10.3.6"}`)
	for k := range 180 {
		i := (k * 97) % 180 // not in name order, as a site's extensions come
		fmt.Fprintf(&b, `,{"name":"project_%03d","type":"module","version":"%d.%d.0","enabled":true}`, i, 1+i%3, i%7)
	}
	b.WriteString("]")
	if libraries > 0 {
		b.WriteString(`,"libraries":[`)
		for i := range libraries {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"name":"vendor%02d/library-%03d","version":"%d.%d.0"}`, i%40, i, 1+i%3, i%7)
		}
		b.WriteString("]")
	}
	b.WriteString("}")
	return []byte(b.String())
}

// The accept path validates each push (run with -benchmem).
func BenchmarkValidateInventory(b *testing.B) {
	b.Run("projects", func(b *testing.B) { benchValidate(b, benchInventory()) })
	b.Run("libraries", func(b *testing.B) { benchValidate(b, benchInventoryWith(226)) })
}

func benchValidate(b *testing.B, body []byte) {
	now := time.Date(2026, 11, 25, 10, 0, 1, 0, time.UTC)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, _, _, err := ValidateInventory(body, now); err != nil {
			b.Fatal(err)
		}
	}
}

// The worker parses and folds each payload it applies.
func BenchmarkParseInventory(b *testing.B) {
	b.Run("projects", func(b *testing.B) { benchParse(b, benchInventory()) })
	b.Run("libraries", func(b *testing.B) { benchParse(b, benchInventoryWith(226)) })
}

func benchParse(b *testing.B, body []byte) {
	now := time.Date(2026, 11, 25, 10, 0, 1, 0, time.UTC)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, _, err := ParseInventory(body, 1, now); err != nil {
			b.Fatal(err)
		}
	}
}
