package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
		h, err := newHandler(c.h)
		if err != nil {
			t.Fatalf("%d: %v", i, err)
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
		if _, err := newHandler(h); err == nil {
			t.Errorf("bad %d (%T) accepted", i, h)
		}
	}
}

func TestErrorTypes(t *testing.T) {
	h, _ := newHandler(func(event) (string, error) { return "", errors.New("boom") })
	_, err := h.Invoke(context.Background(), []byte(`{}`))
	if typeName(err) != "errorString" || err.Error() != "boom" {
		t.Errorf("got %q %q", typeName(err), err)
	}
	_, err = h.Invoke(context.Background(), []byte(`{`))
	if typeName(err) != "SyntaxError" {
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
	h, _ := newHandler(func() error { var m map[string]int; m["x"] = 1; return nil })
	_, failure, panicked := call(context.Background(), h, nil)
	if !panicked || failure == nil || failure.Type != "plainError" || len(failure.StackTrace) == 0 {
		t.Fatalf("got %v %+v", panicked, failure)
	}
	if l := failure.StackTrace[0].Label; l != "lambda.TestPanic.func1" || len(failure.StackTrace) != 1 {
		t.Errorf("top frame %q in %+v", l, failure.StackTrace)
	}
}

func TestClientContext(t *testing.T) {
	var cc ClientContext
	raw := `{"client":{"installation_id":"i","app_title":"A"},"custom":{"k":"v","n":{"x":1}},"env":{"e":"1"}}`
	if err := json.Unmarshal([]byte(raw), &cc); err != nil {
		t.Fatal(err)
	}
	if cc.Client.InstallationID != "i" || cc.Client.AppTitle != "A" || cc.Custom["k"] != "v" ||
		cc.Custom["n"] != `{"x":1}` || cc.Env["e"] != "1" {
		t.Errorf("got %+v", cc)
	}
	var id CognitoIdentity
	if err := json.Unmarshal([]byte(`{"cognitoIdentityId":"a","cognitoIdentityPoolId":"b"}`), &id); err != nil ||
		id.CognitoIdentityID != "a" || id.CognitoIdentityPoolID != "b" {
		t.Errorf("got %+v %v", id, err)
	}
}
