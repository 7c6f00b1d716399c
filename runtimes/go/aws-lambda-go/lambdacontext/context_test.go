package lambdacontext

import (
	"context"
	"encoding/json"
	"testing"
)

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

func TestContextRoundTrip(t *testing.T) {
	if _, ok := FromContext(context.Background()); ok {
		t.Fatal("a plain context has no LambdaContext")
	}
	lc, ok := FromContext(NewContext(context.Background(), &LambdaContext{AwsRequestID: "r", InvokedFunctionArn: "arn"}))
	if !ok || lc.AwsRequestID != "r" || lc.InvokedFunctionArn != "arn" {
		t.Errorf("got %+v %v", lc, ok)
	}
}
