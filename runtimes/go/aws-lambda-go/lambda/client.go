package lambda

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
)

// client speaks the Lambda Runtime API (2018-06-01) at AWS_LAMBDA_RUNTIME_API. Calls are strictly
// sequential, so the transport keeps exactly one idle keep-alive connection and every call reuses it.
type client struct {
	base string
	http *http.Client
}

// invocation is one event fetched from /invocation/next.
type invocation struct {
	id      string
	payload []byte
	header  http.Header
}

func newClient(api string) *client {
	transport := &http.Transport{
		Proxy:               nil, // never route the Runtime API through HTTP(S)_PROXY
		MaxIdleConns:        1,
		MaxIdleConnsPerHost: 1,
		DisableCompression:  true,
	}
	// Inside a Vajra sandbox the Runtime API is also on a UNIX socket: talk to it directly, without
	// the TCP forwarder (VAJRA_RUNTIME_SOCKET overrides where it is).
	if socket := vajraSocket(); socket != "" {
		transport.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", socket)
		}
	}
	return &client{
		base: "http://" + api + "/2018-06-01/runtime/",
		http: &http.Client{Transport: transport},
	}
}

// next long-polls for the next invocation (no client timeout: it may wait for minutes).
func (c *client) next() (*invocation, error) {
	resp, err := c.http.Get(c.base + "invocation/next")
	if err != nil {
		return nil, fmt.Errorf("runtime API: GET next: %w", err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("runtime API: reading next event: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("runtime API: GET next: status %d: %s", resp.StatusCode, body)
	}
	id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
	if id == "" {
		return nil, fmt.Errorf("runtime API: next event has no Lambda-Runtime-Aws-Request-Id")
	}
	return &invocation{id: id, payload: body, header: resp.Header}, nil
}

// post sends body to path; errorType, when set, goes in Lambda-Runtime-Function-Error-Type. A non-2xx
// answer (e.g. 413 for an oversized response, which the platform has already turned into the
// invocation's error) is returned as an error whose text includes the API's reply.
func (c *client) post(path string, body []byte, errorType string) error {
	req, err := http.NewRequest(http.MethodPost, c.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if errorType != "" {
		// Header values must stay on one line.
		req.Header.Set("Lambda-Runtime-Function-Error-Type", strings.NewReplacer("\r", " ", "\n", " ").Replace(errorType))
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return &transportError{fmt.Errorf("runtime API: POST %s: %w", path, err)}
	}
	reply, _ := io.ReadAll(resp.Body) // drain it, so the connection is reused
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("runtime API: POST %s: status %d: %s", path, resp.StatusCode, bytes.TrimSpace(reply))
	}
	return nil
}

// transportError means the Runtime API itself is unreachable: the process cannot go on.
type transportError struct{ err error }

func (e *transportError) Error() string { return e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

// vajraSocket is the path of Vajra's Runtime API socket, or "" outside Vajra.
func vajraSocket() string {
	path := os.Getenv("VAJRA_RUNTIME_SOCKET")
	if path == "" {
		path = "/run/vajra/runtime.sock"
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
		return path
	}
	return ""
}
