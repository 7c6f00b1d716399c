package lambda

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

type event struct {
	Name string `json:"name"`
}

type myErr struct{}

func (*myErr) Error() string { return "mine" }

func TestShapes(t *testing.T) {
	ctx := context.Background()
	good := []struct {
		h    interface{}
		want string
	}{
		{func() {}, "null"},
		{func() error { return nil }, "null"},
		{func(e event) error { return nil }, "null"},
		{func() (string, error) { return "x", nil }, `"x"`},
		{func(e event) (string, error) { return "hi " + e.Name, nil }, `"hi a"`},
		{func(context.Context) error { return nil }, "null"},
		{func(_ context.Context, e event) error { return nil }, "null"},
		{func(context.Context) (int, error) { return 1, nil }, "1"},
		{func(_ context.Context, e event) (map[string]string, error) {
			return map[string]string{"n": e.Name}, nil
		}, `{"n":"a"}`},
		{func(_ context.Context, e event) string { return "<" + e.Name + ">" }, `"<a>"`},
		{func(_ context.Context, e event) *myErr { return nil }, "null"}, // a typed nil error is no error
		{func(e interface{}) (interface{}, error) { return e, nil }, `{"name":"a"}`},
	}
	for i, c := range good {
		h := newHandler(c.h)
		if h.err != nil {
			t.Fatalf("%d: %v", i, h.err)
		}
		out, err := h.Invoke(ctx, []byte(`{"name":"a"}`))
		if err != nil || string(out) != c.want {
			t.Errorf("%d: got %s, %v; want %s", i, out, err, c.want)
		}
	}
	bad := []interface{}{
		nil, 42, (func())(nil),
		func(int, int) {},
		func(context.Context, int, int) {},
		func() (int, int) { return 0, 0 },
		func() (int, int, error) { return 0, 0, nil },
		func(chan int) {},
		func(...int) {},
	}
	for i, h := range bad {
		if newHandler(h).err == nil {
			t.Errorf("bad %d (%T) accepted", i, h)
		}
	}
}

func TestErrorTypes(t *testing.T) {
	h := newHandler(func(event) (string, error) { return "", errors.New("boom") })
	_, err := h.Invoke(context.Background(), []byte(`{}`))
	if typeName(err) != "errorString" || err.Error() != "boom" {
		t.Errorf("got %q %q", typeName(err), err)
	}
	// A truncated event ends the decoder's input early, as with aws-lambda-go.
	_, err = h.Invoke(context.Background(), []byte(`{`))
	if typeName(err) != "errorString" || err.Error() != "unexpected EOF" {
		t.Errorf("got %q", typeName(err))
	}
	_, err = h.Invoke(context.Background(), []byte(`{"name":1}`))
	if typeName(err) != "UnmarshalTypeError" {
		t.Errorf("got %q", typeName(err))
	}
	for v, want := range map[interface{}]string{
		fmt.Errorf("w: %w", err): "wrapError", "s": "string", &myErr{}: "myErr",
		&runtimeFault{"Runtime.X", "m"}: "Runtime.X",
	} {
		if got := typeName(v); got != want {
			t.Errorf("typeName(%T) = %q, want %q", v, got, want)
		}
	}
}

func TestPanic(t *testing.T) {
	h := newHandler(func() error { var m map[string]int; m["x"] = 1; return nil })
	_, failure, panicked := call(context.Background(), h, nil)
	if !panicked || failure == nil || failure.Type != "plainError" || len(failure.StackTrace) == 0 {
		t.Fatalf("got %v %+v", panicked, failure)
	}
	if l := failure.StackTrace[0].Label; l != "lambda.TestPanic.func1" || len(failure.StackTrace) != 1 {
		t.Errorf("top frame %q in %+v", l, failure.StackTrace)
	}
}

type page struct{ r *strings.Reader }

func (p page) Read(b []byte) (int, error) { return p.r.Read(b) }

func TestOptions(t *testing.T) {
	ctx := context.Background()
	echo := func(e map[string]interface{}) (map[string]interface{}, error) { return e, nil }
	out, err := NewHandlerWithOptions(echo, WithUseNumber(true), WithSetEscapeHTML(true)).
		Invoke(ctx, []byte(`{"n":12345678901234567890,"h":"<b>"}`))
	if err != nil || string(out) != `{"h":"\u003cb\u003e","n":12345678901234567890}` {
		t.Errorf("use number, escape: got %s %v", out, err)
	}
	out, err = NewHandlerWithOptions(echo, WithSetIndent("", " ")).Invoke(ctx, []byte(`{"a":1}`))
	if err != nil || string(out) != "{\n \"a\": 1\n}\n" {
		t.Errorf("indent: got %q %v", out, err)
	}
	_, err = NewHandlerWithOptions(func(e event) error { return nil }, WithDisallowUnknownFields(true)).
		Invoke(ctx, []byte(`{"name":"a","other":1}`))
	if err == nil || !strings.Contains(err.Error(), "unknown field") {
		t.Errorf("disallow unknown fields: got %v", err)
	}
	type key struct{}
	h := newHandler(func(ctx context.Context) (string, error) { return ctx.Value(key{}).(string), nil },
		WithContextValue(key{}, "v"))
	if out, err := h.Invoke(h.baseContext, nil); err != nil || string(out) != `"v"` {
		t.Errorf("context value: got %s %v", out, err)
	}
	out, err = NewHandler(func() (page, error) { return page{strings.NewReader("<raw>")}, nil }).Invoke(ctx, nil)
	if err != nil || string(out) != "<raw>" {
		t.Errorf("reader result: got %q %v", out, err)
	}
	if _, err := NewHandler(42).Invoke(ctx, nil); err == nil || !strings.Contains(err.Error(), "not func") {
		t.Errorf("bad handler: got %v", err)
	}
}

func TestStartHandlerFuncTypeChecks(t *testing.T) {
	// Compiles only if the constraint accepts the two-argument, two-result shape.
	var f func(context.Context, event) (string, error)
	_ = func() { StartHandlerFunc(f) }
}
