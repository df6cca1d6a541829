// Package ssetest reads server-sent event streams, as GET /api/v1/events
// writes them, in tests of any package.
package ssetest

import (
	"bufio"
	"io"
	"strings"
)

// Frame is one message of an event stream: an event (ID, Event, Data) or
// a comment (a keep-alive, "connected", …).
type Frame struct{ ID, Event, Data, Comment string }

// Read sends the frames of the stream in body to out until the stream
// ends, then closes body and out. Run it in a goroutine.
func Read(body io.ReadCloser, out chan<- Frame) {
	defer close(out)
	defer body.Close()
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	var f Frame
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if f != (Frame{}) {
				out <- f
			}
			f = Frame{}
		case strings.HasPrefix(line, ":"):
			f.Comment = strings.TrimSpace(line[1:])
		case strings.HasPrefix(line, "id: "):
			f.ID = line[4:]
		case strings.HasPrefix(line, "event: "):
			f.Event = line[7:]
		case strings.HasPrefix(line, "data: "):
			f.Data = line[6:]
		}
	}
}
