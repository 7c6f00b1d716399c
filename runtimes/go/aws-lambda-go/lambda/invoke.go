// Package lambda runs a Go function written for AWS Lambda (import path
// github.com/aws/aws-lambda-go/lambda) on Vajra: call Start from main with your handler. It speaks the
// Lambda Runtime API at AWS_LAMBDA_RUNTIME_API (inside a Vajra sandbox over its UNIX socket) using only
// the standard library. It is Vajra's own implementation of that package's public API, bundled so that
// functions written for AWS build offline unchanged; vajra.dev/lambda is a thin layer over it.
package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"os/signal"
	"reflect"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// pkgPath prefixes this package's function names in stack traces.
const pkgPath = "github.com/aws/aws-lambda-go/lambda"

// Start serves invocations with handler and never returns. A handler of an unsupported shape is
// reported as an initialisation error (POST /runtime/init/error) and the process exits with status 1.
// So does a handler panic, once the invocation's error has been reported (as aws-lambda-go does): a
// fresh process then serves the next invocation.
func Start(handler interface{}) { StartWithOptions(handler) }

// StartWithOptions is Start with options (see the With* functions).
func StartWithOptions(handler interface{}, options ...Option) {
	start(newHandler(handler, options...))
}

// StartWithContext is Start with ctx as the context every invocation's context derives from.
func StartWithContext(ctx context.Context, handler interface{}) {
	StartWithOptions(handler, WithContext(ctx))
}

// StartHandler is Start for a value implementing Handler.
func StartHandler(handler Handler) { StartWithOptions(handler) }

// StartHandlerWithContext is StartHandler with a base context.
func StartHandlerWithContext(ctx context.Context, handler Handler) {
	StartWithOptions(handler, WithContext(ctx))
}

// StartHandlerFunc is StartWithOptions for a handler whose shape the compiler checks.
func StartHandlerFunc[TIn any, TOut any, H HandlerFunc[TIn, TOut]](handler H, options ...Option) {
	StartWithOptions(handler, options...)
}

func start(h *handlerOptions) {
	api := os.Getenv("AWS_LAMBDA_RUNTIME_API")
	if api == "" {
		log.Fatal("lambda: AWS_LAMBDA_RUNTIME_API is not set; this program must run as a Lambda function")
	}
	startEndpointRelay()
	c := newClient(api)
	if h.err != nil {
		body := errorBody{Message: h.err.Error(), Type: "Runtime.InvalidHandler", StackTrace: []stackFrame{}}
		payload := marshalError(body)
		log.Printf("%s", payload)
		if perr := c.post("init/error", payload, body.Type); perr != nil {
			log.Printf("lambda: reporting the init error: %v", perr)
		}
		os.Exit(1)
	}
	if h.enableSIGTERM {
		onSIGTERM(h.sigtermCallbacks)
	}
	for {
		inv, err := c.next()
		if err != nil {
			log.Fatal(err)
		}
		if err := serve(c, h, inv); err == errPanicked {
			os.Exit(1)
		} else if err != nil {
			log.Fatal(err)
		}
	}
}

// onSIGTERM runs the callbacks, then exits, when the instance is told to stop.
func onSIGTERM(callbacks []func()) {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM)
	go func() {
		<-signals
		for _, f := range callbacks {
			f()
		}
		os.Exit(0)
	}()
}

var errPanicked = errors.New("the handler panicked")

// errorBody is the JSON posted to /error and /init/error.
type errorBody struct {
	Message    string       `json:"errorMessage"`
	Type       string       `json:"errorType"`
	StackTrace []stackFrame `json:"stackTrace"`
}

type stackFrame struct {
	Path  string `json:"path"`
	Line  int    `json:"line"`
	Label string `json:"label"`
}

// runtimeFault is an invocation failure caused by the request rather than by the handler.
type runtimeFault struct{ typ, msg string }

func (e *runtimeFault) Error() string     { return e.msg }
func (e *runtimeFault) ErrorType() string { return e.typ }

// serve runs one invocation and reports its outcome. The returned error is fatal for the process:
// the Runtime API is unreachable, or the handler panicked.
func serve(c *client, h *handlerOptions, inv *invocation) error {
	ctx := h.baseContext
	if ms, err := strconv.ParseInt(inv.header.Get("Lambda-Runtime-Deadline-Ms"), 10, 64); err == nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, time.UnixMilli(ms))
		defer cancel()
	}

	lc := &lambdacontext.LambdaContext{AwsRequestID: inv.id, InvokedFunctionArn: inv.header.Get("Lambda-Runtime-Invoked-Function-Arn")}
	if fault := parseHeaderJSON(inv, "Lambda-Runtime-Client-Context", &lc.ClientContext); fault != nil {
		return reportError(c, inv, errorResponse(fault))
	}
	if fault := parseHeaderJSON(inv, "Lambda-Runtime-Cognito-Identity", &lc.Identity); fault != nil {
		return reportError(c, inv, errorResponse(fault))
	}
	ctx = lambdacontext.NewContext(ctx, lc)

	traceID := inv.header.Get("Lambda-Runtime-Trace-Id")
	if traceID != "" {
		os.Setenv("_X_AMZN_TRACE_ID", traceID)
	} else {
		os.Unsetenv("_X_AMZN_TRACE_ID")
	}
	if tp := traceparent(traceID); tp != "" {
		os.Setenv("TRACEPARENT", tp)
	} else {
		os.Unsetenv("TRACEPARENT")
	}
	// The X-Ray SDK for Go reads the trace header from this (string) key, as aws-lambda-go sets it.
	ctx = context.WithValue(ctx, "x-amzn-trace-id", traceID) //nolint:staticcheck

	out, failure, panicked := call(ctx, h, inv.payload)
	if failure != nil {
		if panicked {
			// Said now: once the error is posted, the invocation's log is closed.
			log.Printf("lambda: the handler panicked; this process exits so that a fresh one serves the next invocation")
		}
		if err := reportError(c, inv, *failure); err != nil {
			return err
		}
		if panicked {
			return errPanicked
		}
		return nil
	}
	return reportOutcome(c.post("invocation/"+inv.id+"/response", out, ""))
}

// call runs the handler, turning a returned error or a panic into the body to post to /error.
func call(ctx context.Context, h Handler, payload []byte) (out []byte, failure *errorBody, panicked bool) {
	completed := false
	defer func() {
		if completed {
			return
		}
		v := recover() // nil after panic(nil) before Go 1.21, or runtime.Goexit
		if v == nil {
			v = "panic(nil) or runtime.Goexit in the handler"
		}
		log.Printf("panic: %v\n\n%s", v, debug.Stack())
		failure = &errorBody{Message: fmt.Sprintf("%v", v), Type: typeName(v), StackTrace: panicStack()}
		panicked = true
	}()
	out, err := h.Invoke(ctx, payload)
	completed = true
	if err != nil {
		body := errorResponse(err)
		return nil, &body, false
	}
	return out, nil, false
}

func errorResponse(err error) errorBody {
	return errorBody{Message: err.Error(), Type: typeName(err), StackTrace: []stackFrame{}}
}

// typeName names an error or panic value like aws-lambda-go: the name of its type, without the
// pointer (errors.New -> "errorString", fmt.Errorf with %w -> "wrapError", panic("x") -> "string").
// A value with an `ErrorType() string` method chooses its own errorType.
func typeName(v interface{}) string {
	if e, ok := v.(interface{ ErrorType() string }); ok {
		if s := e.ErrorType(); s != "" {
			return s
		}
	}
	t := reflect.TypeOf(v)
	if t.Kind() == reflect.Ptr {
		t = t.Elem()
	}
	if t.Name() != "" {
		return t.Name()
	}
	return t.String() // an unnamed type such as []int
}

// panicStack lists the frames from the panicking call down to the handler, skipping the runtime's
// panic machinery on top and this package's adapter (and reflect) below. It must run in the deferred function.
func panicStack() []stackFrame {
	pcs := make([]uintptr, 64)
	pcs = pcs[:runtime.Callers(1, pcs)]
	var all []runtime.Frame
	frames := runtime.CallersFrames(pcs)
	for {
		f, more := frames.Next()
		all = append(all, f)
		if !more {
			break
		}
	}
	start := 0
	for i, f := range all {
		if f.Function == "runtime.gopanic" {
			start = i + 1
			break
		}
	}
	for start < len(all) && strings.HasPrefix(all[start].Function, "runtime.") {
		start++ // runtime.panicmem, runtime.sigpanic, ... of a runtime error
	}
	end := start
	for end < len(all) && all[end].Function != pkgPath+".call" {
		end++
	}
	for end > start && isWrapperFrame(all[end-1].Function) {
		end--
	}
	stack := []stackFrame{}
	for _, f := range all[start:end] {
		label := f.Function
		if i := strings.LastIndex(label, "/"); i >= 0 {
			label = label[i+1:]
		}
		stack = append(stack, stackFrame{Path: f.File, Line: f.Line, Label: label})
	}
	return stack
}

// isWrapperFrame tells the frames between call and the user's handler: this package's adapter and
// reflect's Call machinery.
func isWrapperFrame(fn string) bool {
	return strings.HasPrefix(fn, "reflect.") || fn == pkgPath+".(*handlerOptions).Invoke" ||
		strings.HasPrefix(fn, pkgPath+".buildInvoke.")
}

func parseHeaderJSON(inv *invocation, name string, dst interface{}) error {
	raw := inv.header.Get(name)
	if raw == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(raw), dst); err != nil {
		return &runtimeFault{"Runtime.LambdaContextUnmarshalError", fmt.Sprintf("unable to parse %s JSON: %v", name, err)}
	}
	return nil
}

func marshalError(body errorBody) []byte {
	payload, err := json.Marshal(body) // cannot fail: strings and ints only
	if err != nil {
		panic(err)
	}
	return payload
}

// reportError logs the error payload (as aws-lambda-go does) and posts it to /error.
func reportError(c *client, inv *invocation, body errorBody) error {
	payload := marshalError(body)
	log.Printf("%s", payload)
	return reportOutcome(c.post("invocation/"+inv.id+"/error", payload, body.Type))
}

// reportOutcome keeps serving after the API refused a post (e.g. a response too large, which the
// platform has already recorded as the invocation's error) and stops only when the API is unreachable.
func reportOutcome(err error) error {
	if err == nil {
		return nil
	}
	if _, fatal := err.(*transportError); fatal {
		return err
	}
	log.Printf("lambda: %v", err)
	return nil
}
