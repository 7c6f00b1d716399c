// Package lambdacontext gives a Lambda function's handler the facts about its invocation (request id,
// function ARN, caller identity) and about the function itself, under the same names as
// github.com/aws/aws-lambda-go/lambdacontext. It is Vajra's own implementation, bundled so that
// functions written for AWS build offline unchanged.
package lambdacontext

import (
	"context"
	"encoding/json"
	"os"
	"strconv"
)

// Facts about the function itself, read once from Lambda's environment when the program starts.
var (
	FunctionName    = os.Getenv("AWS_LAMBDA_FUNCTION_NAME")
	FunctionVersion = os.Getenv("AWS_LAMBDA_FUNCTION_VERSION")
	MemoryLimitInMB = atoi(os.Getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"))
	LogGroupName    = os.Getenv("AWS_LAMBDA_LOG_GROUP_NAME")
	LogStreamName   = os.Getenv("AWS_LAMBDA_LOG_STREAM_NAME")
)

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0
	}
	return n
}

// CognitoIdentity is the Amazon Cognito identity of the caller, when the invoker sent one.
type CognitoIdentity struct {
	CognitoIdentityID     string `json:"cognitoIdentityId"`
	CognitoIdentityPoolID string `json:"cognitoIdentityPoolId"`
}

// ClientApplication describes the calling mobile application (part of ClientContext).
type ClientApplication struct {
	InstallationID string `json:"installation_id"`
	AppTitle       string `json:"app_title"`
	AppVersionCode string `json:"app_version_code"`
	AppPackageName string `json:"app_package_name"`
}

// ClientContext is what the invoker passed as client context (Lambda-Runtime-Client-Context).
type ClientContext struct {
	Client ClientApplication `json:"client"`
	Env    map[string]string `json:"env"`
	Custom map[string]string `json:"custom"`
}

// UnmarshalJSON accepts non-string values in "custom" (kept as their JSON text) instead of failing.
func (cc *ClientContext) UnmarshalJSON(data []byte) error {
	var raw struct {
		Client ClientApplication          `json:"client"`
		Env    map[string]string          `json:"env"`
		Custom map[string]json.RawMessage `json:"custom"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	cc.Client, cc.Env, cc.Custom = raw.Client, raw.Env, nil
	if raw.Custom != nil {
		cc.Custom = make(map[string]string, len(raw.Custom))
		for k, v := range raw.Custom {
			var s string
			if json.Unmarshal(v, &s) != nil {
				s = string(v)
			}
			cc.Custom[k] = s
		}
	}
	return nil
}

// LambdaContext is the per-invocation metadata; get it from the handler's context with FromContext.
type LambdaContext struct {
	AwsRequestID       string
	InvokedFunctionArn string
	Identity           CognitoIdentity
	ClientContext      ClientContext
}

type contextKey struct{}

// NewContext returns a copy of parent carrying lc (useful to test handlers outside Vajra).
func NewContext(parent context.Context, lc *LambdaContext) context.Context {
	return context.WithValue(parent, contextKey{}, lc)
}

// FromContext returns the invocation's LambdaContext, if ctx is (derived from) a handler's context.
func FromContext(ctx context.Context) (*LambdaContext, bool) {
	lc, ok := ctx.Value(contextKey{}).(*LambdaContext)
	return lc, ok
}
