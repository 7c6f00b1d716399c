package lambda

import (
	"context"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

func TestSharesTheAwsLambdaGoImplementation(t *testing.T) {
	ctx := NewContext(context.Background(), &LambdaContext{AwsRequestID: "r"})
	if lc, ok := lambdacontext.FromContext(ctx); !ok || lc.AwsRequestID != "r" {
		t.Fatalf("a context made here is not seen by lambdacontext: %+v %v", lc, ok)
	}
	h := NewHandler(func(ctx context.Context, e struct{ N int }) (int, error) {
		lc, _ := FromContext(ctx)
		return e.N + len(lc.AwsRequestID), nil
	})
	if out, err := h.Invoke(ctx, []byte(`{"N":41}`)); err != nil || string(out) != "42" {
		t.Errorf("got %s %v", out, err)
	}
}
