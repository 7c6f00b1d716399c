package lambda

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
)

// Handler is the low-level handler form: raw event bytes in, raw response bytes out. Start also
// accepts any value implementing it.
type Handler interface {
	Invoke(ctx context.Context, payload []byte) ([]byte, error)
}

type bytesHandler func(ctx context.Context, payload []byte) ([]byte, error)

func (f bytesHandler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f(ctx, payload)
}

var (
	contextType = reflect.TypeOf((*context.Context)(nil)).Elem()
	errorType   = reflect.TypeOf((*error)(nil)).Elem()
)

// newHandler checks the handler's shape once, at Start, and returns a function that decodes the event
// into the handler's input type, calls it, and encodes its output. Accepted shapes (TIn/TOut being
// any encoding/json type):
//
//	func ()                         func () error
//	func (TIn)                      func (TIn) error
//	func (context.Context)          func (context.Context) error
//	func (context.Context, TIn)     func (context.Context, TIn) error
//
// and each of those inputs with results (TOut, error) or just TOut.
func newHandler(handler interface{}) (Handler, error) {
	if handler == nil {
		return nil, fmt.Errorf("handler is nil")
	}
	if h, ok := handler.(Handler); ok {
		return h, nil
	}
	fn := reflect.ValueOf(handler)
	t := fn.Type()
	if t.Kind() != reflect.Func {
		return nil, fmt.Errorf("handler kind %s is not func", t.Kind())
	}
	if fn.IsNil() {
		return nil, fmt.Errorf("handler is a nil func")
	}
	if t.IsVariadic() {
		return nil, fmt.Errorf("handler %s may not be variadic", t)
	}

	takesContext := false
	var in reflect.Type // the event type, nil when the handler takes no event
	switch t.NumIn() {
	case 0:
	case 1:
		if t.In(0).Implements(contextType) {
			takesContext = true
		} else {
			in = t.In(0)
		}
	case 2:
		if !t.In(0).Implements(contextType) {
			return nil, fmt.Errorf("handler %s takes two arguments, but the first is not a context.Context", t)
		}
		takesContext, in = true, t.In(1)
	default:
		return nil, fmt.Errorf("handler %s takes %d arguments; at most two (context.Context, event) are allowed", t, t.NumIn())
	}
	if in != nil && !jsonable(in) {
		return nil, fmt.Errorf("handler %s: the event type %s cannot be decoded from JSON", t, in)
	}

	outIndex, errIndex := -1, -1 // positions of TOut and error among the results
	switch t.NumOut() {
	case 0:
	case 1:
		if t.Out(0).Implements(errorType) {
			errIndex = 0
		} else {
			outIndex = 0
		}
	case 2:
		if !t.Out(1).Implements(errorType) {
			return nil, fmt.Errorf("handler %s returns two values, but the second does not implement error", t)
		}
		outIndex, errIndex = 0, 1
	default:
		return nil, fmt.Errorf("handler %s returns %d values; at most two (TOut, error) are allowed", t, t.NumOut())
	}
	if outIndex >= 0 && !jsonable(t.Out(outIndex)) {
		return nil, fmt.Errorf("handler %s: the result type %s cannot be encoded as JSON", t, t.Out(outIndex))
	}

	return bytesHandler(func(ctx context.Context, payload []byte) ([]byte, error) {
		args := make([]reflect.Value, 0, 2)
		if takesContext {
			args = append(args, reflect.ValueOf(ctx))
		}
		if in != nil {
			event := reflect.New(in)
			if err := json.Unmarshal(payload, event.Interface()); err != nil {
				return nil, err
			}
			args = append(args, event.Elem())
		}
		results := fn.Call(args)
		if errIndex >= 0 {
			if e := results[errIndex]; !isNil(e) {
				return nil, e.Interface().(error)
			}
		}
		var out interface{} // a handler without a result answers JSON null, as on AWS
		if outIndex >= 0 {
			out = results[outIndex].Interface()
		}
		return encode(out)
	}), nil
}

// encode marshals v like json.Marshal, but leaves <, > and & unescaped (as aws-lambda-go does).
func encode(v interface{}) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), nil
}

// jsonable rejects the kinds encoding/json can never handle (an interface type may hold anything).
func jsonable(t reflect.Type) bool {
	for t.Kind() == reflect.Ptr {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Chan, reflect.Func, reflect.Complex64, reflect.Complex128, reflect.UnsafePointer:
		return false
	}
	return true
}

// isNil also catches a typed nil (e.g. a nil *MyError returned as error).
func isNil(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Interface, reflect.Ptr, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan:
		return v.IsNil()
	}
	return false
}
