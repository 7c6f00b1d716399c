package lambda

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
)

// Handler is the low-level handler form: raw event bytes in, raw response bytes out. Start also
// accepts any value implementing it, and NewHandler turns a typed handler function into one.
type Handler interface {
	Invoke(ctx context.Context, payload []byte) ([]byte, error)
}

// HandlerFunc is the handler shape StartHandlerFunc checks at compile time.
type HandlerFunc[TIn, TOut any] interface {
	func(context.Context, TIn) (TOut, error)
}

// Option changes how a handler decodes events, encodes results, or starts (see the With* functions).
type Option func(*handlerOptions)

// handlerOptions is the Handler that Start, NewHandler and NewHandlerWithOptions build: the checked
// handler plus the JSON and context settings the options chose.
type handlerOptions struct {
	invoke func(ctx context.Context, payload []byte) ([]byte, error)
	// err says why the handler's shape is not accepted; Invoke then fails with it, Start reports it
	// as an initialisation error.
	err error

	baseContext      context.Context
	contextValues    map[interface{}]interface{}
	useNumber        bool
	disallowUnknown  bool
	escapeHTML       bool
	indentPrefix     string
	indent           string
	enableSIGTERM    bool
	sigtermCallbacks []func()
}

func (h *handlerOptions) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	if h.err != nil {
		return nil, h.err
	}
	return h.invoke(ctx, payload)
}

// WithContext sets the context every invocation's context derives from (context.Background() by default).
func WithContext(ctx context.Context) Option {
	return func(h *handlerOptions) { h.baseContext = ctx }
}

// WithContextValue adds a key/value pair to every invocation's context.
func WithContextValue(key interface{}, value interface{}) Option {
	return func(h *handlerOptions) { h.contextValues[key] = value }
}

// WithSetEscapeHTML escapes <, > and & in JSON results (off by default).
func WithSetEscapeHTML(escapeHTML bool) Option {
	return func(h *handlerOptions) { h.escapeHTML = escapeHTML }
}

// WithSetIndent indents JSON results, as json.Encoder.SetIndent does.
func WithSetIndent(prefix, indent string) Option {
	return func(h *handlerOptions) { h.indentPrefix, h.indent = prefix, indent }
}

// WithUseNumber decodes numbers in an interface{} event as json.Number instead of float64.
func WithUseNumber(useNumber bool) Option {
	return func(h *handlerOptions) { h.useNumber = useNumber }
}

// WithDisallowUnknownFields fails an invocation whose event has fields the event struct lacks.
func WithDisallowUnknownFields(disallowUnknownFields bool) Option {
	return func(h *handlerOptions) { h.disallowUnknown = disallowUnknownFields }
}

// WithEnableSIGTERM runs the callbacks when the process receives SIGTERM (when the instance is shut
// down), then exits.
func WithEnableSIGTERM(callbacks ...func()) Option {
	return func(h *handlerOptions) {
		h.enableSIGTERM = true
		h.sigtermCallbacks = append(h.sigtermCallbacks, callbacks...)
	}
}

// NewHandler wraps a handler function (any shape Start accepts) as a Handler.
func NewHandler(handlerFunc interface{}) Handler {
	return NewHandlerWithOptions(handlerFunc)
}

// NewHandlerWithOptions is NewHandler with options. A function of an unsupported shape gives a
// Handler whose every Invoke fails with the reason.
func NewHandlerWithOptions(handlerFunc interface{}, options ...Option) Handler {
	return newHandler(handlerFunc, options...)
}

func newHandler(handler interface{}, options ...Option) *handlerOptions {
	if h, ok := handler.(*handlerOptions); ok {
		return h
	}
	h := &handlerOptions{baseContext: context.Background(), contextValues: map[interface{}]interface{}{}}
	for _, option := range options {
		option(h)
	}
	for k, v := range h.contextValues {
		h.baseContext = context.WithValue(h.baseContext, k, v)
	}
	h.invoke, h.err = buildInvoke(handler, h)
	return h
}

var (
	contextType = reflect.TypeOf((*context.Context)(nil)).Elem()
	errorType   = reflect.TypeOf((*error)(nil)).Elem()
)

// buildInvoke checks the handler's shape once and returns a function that decodes the event into the
// handler's input type, calls it, and encodes its result. Accepted shapes (TIn and TOut being any
// encoding/json type):
//
//	func ()                         func () error
//	func (TIn)                      func (TIn) error
//	func (context.Context)          func (context.Context) error
//	func (context.Context, TIn)     func (context.Context, TIn) error
//
// and each of those inputs with results (TOut, error) or just TOut. A TOut that is an io.Reader and
// has no JSON form of its own is sent as the raw bytes it reads.
func buildInvoke(handler interface{}, opts *handlerOptions) (func(context.Context, []byte) ([]byte, error), error) {
	if handler == nil {
		return nil, fmt.Errorf("handler is nil")
	}
	if h, ok := handler.(Handler); ok {
		return h.Invoke, nil
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

	return func(ctx context.Context, payload []byte) ([]byte, error) {
		args := make([]reflect.Value, 0, 2)
		if takesContext {
			args = append(args, reflect.ValueOf(ctx))
		}
		if in != nil {
			event := reflect.New(in)
			// A decoder, as aws-lambda-go uses: the first JSON value counts, and the options apply.
			dec := json.NewDecoder(bytes.NewReader(payload))
			if opts.useNumber {
				dec.UseNumber()
			}
			if opts.disallowUnknown {
				dec.DisallowUnknownFields()
			}
			if err := dec.Decode(event.Interface()); err != nil {
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
		return encode(out, opts)
	}, nil
}

// encode marshals the handler's result like aws-lambda-go: without HTML escaping unless asked, with
// the chosen indentation, and a reader with no JSON fields of its own as its raw bytes.
func encode(v interface{}, opts *handlerOptions) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(opts.escapeHTML)
	enc.SetIndent(opts.indentPrefix, opts.indent)
	err := enc.Encode(v)
	if r, ok := v.(io.Reader); ok && (err != nil || bytes.HasPrefix(buf.Bytes(), []byte("{}"))) {
		if c, ok := v.(io.Closer); ok {
			defer c.Close()
		}
		return io.ReadAll(r)
	}
	if err != nil {
		return nil, err
	}
	if opts.indentPrefix == "" && opts.indent == "" {
		return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), nil
	}
	return buf.Bytes(), nil
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
