package oidctest

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
)

// Browser follows the redirects of a sign-in the way a browser does, with
// its cookies, so that a Go test can drive a whole single sign-on.
type Browser struct {
	Client *http.Client
	// Stop is where following ends: a redirect to an address that starts
	// with it is returned, not followed (the dashboard, which a test reads
	// instead of rendering).
	Stop string
	// BeforeRequest, when set, sees every address before it is requested.
	BeforeRequest func(url string)
}

// Page is where a visit ended.
type Page struct {
	URL      string
	Status   int
	Location string // of a redirect to Stop
	Body     string
}

// NewBrowser returns a browser with an empty cookie jar.
func NewBrowser(stop string) *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{Stop: stop, Client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// Visit gets addr and follows redirects until a page that is not one, or
// a redirect to Stop.
func (b *Browser) Visit(addr string) (*Page, error) {
	return b.do(http.MethodGet, addr, nil)
}

func (b *Browser) do(method, addr string, form url.Values) (*Page, error) {
	for range 20 {
		if b.BeforeRequest != nil {
			b.BeforeRequest(addr)
		}
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, err := http.NewRequest(method, addr, body)
		if err != nil {
			return nil, err
		}
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
		res, err := b.Client.Do(req)
		if err != nil {
			return nil, err
		}
		text, _ := io.ReadAll(res.Body)
		res.Body.Close()
		loc := res.Header.Get("Location")
		if res.StatusCode < 300 || res.StatusCode > 399 || loc == "" {
			return &Page{URL: addr, Status: res.StatusCode, Body: string(text)}, nil
		}
		next, err := req.URL.Parse(loc)
		if err != nil {
			return nil, err
		}
		if b.Stop != "" && strings.HasPrefix(next.String(), b.Stop) {
			return &Page{URL: addr, Status: res.StatusCode, Location: next.String()}, nil
		}
		method, addr, form = http.MethodGet, next.String(), nil
	}
	return nil, fmt.Errorf("too many redirects")
}

var authRequestField = regexp.MustCompile(`name="id" value="([^"]+)"`)

// SignIn starts at start (Fleetwatch's sign-in address for the provider),
// signs in at the provider's page as username (or denies consent when
// username is empty), and follows the redirects back.
func (b *Browser) SignIn(start, username string) (*Page, error) {
	page, err := b.Visit(start)
	if err != nil {
		return nil, err
	}
	m := authRequestField.FindStringSubmatch(page.Body)
	if page.Status != http.StatusOK || m == nil {
		return nil, fmt.Errorf("no sign-in page at the provider: %d %s %.300s", page.Status, page.URL, page.Body)
	}
	u, err := url.Parse(page.URL)
	if err != nil {
		return nil, err
	}
	form := url.Values{"id": {m[1]}}
	if username == "" {
		form.Set("deny", "1")
	} else {
		form.Set("username", username)
	}
	return b.do(http.MethodPost, u.Scheme+"://"+u.Host+"/login", form)
}
