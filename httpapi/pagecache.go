package httpapi

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/danielgtaylor/huma/v2"
	"github.com/fleetwatch/fleetwatch"
)

// The module list of one site is the dashboard's most frequent read. Its
// JSON answers are kept, encoded, under the site's module-list stamp (the
// generation its modules' last change bumped, read with the site on every
// request) and the request's query: an answer is served again only while
// nothing it shows has changed, so a push is visible on the next request.

// defaultPageCacheBytes bounds the memory of the cached answers.
const defaultPageCacheBytes = 16 << 20

// pageCache keeps encoded answers up to a total size; when full, arbitrary
// entries make room (stale generations are never asked for again, so
// they go the same way).
type pageCache struct {
	mu      sync.Mutex
	max     int
	size    int
	entries map[string][]byte
}

func newPageCache(maxBytes int) *pageCache {
	return &pageCache{max: maxBytes, entries: map[string][]byte{}}
}

func (c *pageCache) get(key string) ([]byte, bool) {
	c.mu.Lock()
	b, ok := c.entries[key]
	c.mu.Unlock()
	return b, ok
}

func (c *pageCache) put(key string, b []byte) {
	cost := len(key) + len(b)
	if cost > c.max/16 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[key]; ok {
		c.size -= len(key) + len(old)
	}
	for k, v := range c.entries { // random order: random eviction
		if c.size+cost <= c.max {
			break
		}
		c.size -= len(k) + len(v)
		delete(c.entries, k)
	}
	c.entries[key] = b
	c.size += cost
}

// siteModulesKey is the cache key of an answer of the site's module list.
func siteModulesKey(st *fleetwatch.SiteModulesStamp, rawQuery string) string {
	var b strings.Builder
	b.Grow(48 + len(st.Name) + len(st.URL) + len(rawQuery))
	b.WriteString(strconv.FormatInt(st.SiteID, 10))
	b.WriteByte(':')
	b.WriteString(strconv.FormatInt(st.Generation, 10))
	b.WriteByte(':')
	b.WriteString(strconv.Itoa(len(st.Name)))
	b.WriteByte(':')
	b.WriteString(st.Name)
	b.WriteString(st.URL)
	b.WriteByte('?')
	b.WriteString(rawQuery)
	return b.String()
}

// rawJSONer is a body that carries its JSON encoding already.
type rawJSONer interface{ rawJSON() []byte }

func (e ListEnvelope[T]) rawJSON() []byte { return e.raw }

// jsonFormat is huma's JSON format, except that a body carrying its
// encoding is written as it is.
var jsonFormat = huma.Format{
	Marshal: func(w io.Writer, v any) error {
		if r, ok := v.(rawJSONer); ok {
			if b := r.rawJSON(); b != nil {
				_, err := w.Write(b)
				return err
			}
		}
		return huma.DefaultJSONFormat.Marshal(w, v)
	},
	Unmarshal: huma.DefaultJSONFormat.Unmarshal,
}

// encodeJSON encodes v as huma's JSON format does.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := huma.DefaultJSONFormat.Marshal(&buf, v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
