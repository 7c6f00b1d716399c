// Package lambda (vajra.dev/lambda) is the name Vajra's Go functions have always imported. It is a thin
// layer over Vajra's bundled github.com/aws/aws-lambda-go (lambda and lambdacontext): one runtime
// client, two import paths, so a function may import either.
package lambda

import (
	"context"

	awslambda "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// The handler types and the per-invocation metadata, shared with aws-lambda-go.
type (
	Handler           = awslambda.Handler
	Option            = awslambda.Option
	LambdaContext     = lambdacontext.LambdaContext
	ClientContext     = lambdacontext.ClientContext
	ClientApplication = lambdacontext.ClientApplication
	CognitoIdentity   = lambdacontext.CognitoIdentity
)

// Facts about the function itself, from Lambda's environment when the program starts.
var (
	FunctionName    = lambdacontext.FunctionName
	FunctionVersion = lambdacontext.FunctionVersion
	MemoryLimitInMB = lambdacontext.MemoryLimitInMB
	LogGroupName    = lambdacontext.LogGroupName
	LogStreamName   = lambdacontext.LogStreamName
)

// Start serves invocations with handler and never returns (see github.com/aws/aws-lambda-go/lambda.Start).
func Start(handler interface{}) { awslambda.Start(handler) }

// StartWithOptions is Start with options.
func StartWithOptions(handler interface{}, options ...Option) {
	awslambda.StartWithOptions(handler, options...)
}

// StartHandler is Start for a value implementing Handler.
func StartHandler(h Handler) { awslambda.StartHandler(h) }

// NewHandler wraps a handler function as a Handler (handy for testing handlers).
func NewHandler(handlerFunc interface{}) Handler { return awslambda.NewHandler(handlerFunc) }

// FromContext returns the invocation's LambdaContext, if ctx is (derived from) a handler's context.
func FromContext(ctx context.Context) (*LambdaContext, bool) { return lambdacontext.FromContext(ctx) }

// NewContext returns a copy of parent carrying lc (useful to test handlers outside Vajra).
func NewContext(parent context.Context, lc *LambdaContext) context.Context {
	return lambdacontext.NewContext(parent, lc)
}
