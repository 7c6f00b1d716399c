package events

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// Sample events in the shapes the services send (values made up). Each must decode into its type and
// encode back with every key and value it had: that checks the JSON keys of the declarations.
var samples = []struct {
	name  string
	into  interface{}
	event string
}{
	{"API Gateway REST proxy", &APIGatewayProxyRequest{}, `{"resource":"/{proxy+}","path":"/hello/world","httpMethod":"POST",
		"headers":{"Accept":"*/*"},"multiValueHeaders":{"Accept":["*/*"]},"queryStringParameters":{"name":"me"},
		"multiValueQueryStringParameters":{"name":["me"]},"pathParameters":{"proxy":"hello/world"},"stageVariables":{"v":"1"},
		"requestContext":{"accountId":"123456789012","resourceId":"us4z18","stage":"test","requestId":"41b45ea3",
		"identity":{"sourceIp":"192.168.100.1","userAgent":"curl/8","accountId":"123456789012","caller":"AIDA"},
		"resourcePath":"/{proxy+}","path":"/test/hello/world","authorizer":{"principalId":"u"},"httpMethod":"POST",
		"requestTime":"09/Apr/2015:12:34:56 +0000","requestTimeEpoch":1428582896000,"apiId":"wt6mne2s9k",
		"domainName":"id.execute-api.us-east-1.amazonaws.com","domainPrefix":"id","protocol":"HTTP/1.1","extendedRequestId":"x"},
		"body":"{\"a\":1}","isBase64Encoded":true}`},
	{"API Gateway REST response", &APIGatewayProxyResponse{}, `{"statusCode":200,"headers":{"Content-Type":"text/plain"},
		"multiValueHeaders":{"Set-Cookie":["a=1","b=2"]},"body":"hi","isBase64Encoded":true}`},
	{"API Gateway HTTP v2", &APIGatewayV2HTTPRequest{}, `{"version":"2.0","routeKey":"GET /items/{id}","rawPath":"/items/7",
		"rawQueryString":"q=1&q=2","cookies":["c=1"],"headers":{"host":"example.com"},"queryStringParameters":{"q":"1,2"},
		"pathParameters":{"id":"7"},"stageVariables":{"s":"1"},"body":"e30=","isBase64Encoded":true,
		"requestContext":{"routeKey":"GET /items/{id}","accountId":"123456789012","stage":"$default","requestId":"JKJaXmPLvHcESHA=",
		"apiId":"api-id","domainName":"id.execute-api.us-east-1.amazonaws.com","domainPrefix":"id","time":"12/Mar/2020:19:03:58 +0000",
		"timeEpoch":1583348638390,"http":{"method":"GET","path":"/items/7","protocol":"HTTP/1.1","sourceIp":"203.0.113.7","userAgent":"agent"},
		"authorizer":{"jwt":{"claims":{"sub":"u1"},"scopes":["read"]},"lambda":{"k":"v"},
		"iam":{"accessKey":"AKIA","accountId":"1","callerId":"c","principalOrgId":"o","userArn":"arn:u","userId":"u",
		"cognitoIdentity":{"amr":["foo"],"identityId":"i","identityPoolId":"p"}}},
		"authentication":{"clientCert":{"clientCertPem":"PEM","issuerDN":"CN=ca","serialNumber":"1","subjectDN":"CN=me",
		"validity":{"notAfter":"Aug 5 09:36:04 2021 GMT","notBefore":"Aug 3 09:36:04 2020 GMT"}}}}}`},
	{"API Gateway HTTP v2 response", &APIGatewayV2HTTPResponse{}, `{"statusCode":201,"headers":{"a":"b"},
		"multiValueHeaders":{"c":["d"]},"body":"x","isBase64Encoded":true,"cookies":["k=v"]}`},
	{"ALB", &ALBTargetGroupRequest{}, `{"requestContext":{"elb":{"targetGroupArn":"arn:aws:elasticloadbalancing:tg"}},
		"httpMethod":"GET","path":"/lambda","queryStringParameters":{"query":"1234ABCD"},"multiValueQueryStringParameters":{"q":["1"]},
		"headers":{"accept":"text/html"},"multiValueHeaders":{"accept":["text/html"]},"body":"","isBase64Encoded":false}`},
	{"ALB response", &ALBTargetGroupResponse{}, `{"statusCode":200,"statusDescription":"200 OK","headers":{"a":"b"},
		"multiValueHeaders":{"a":["b"]},"body":"ok","isBase64Encoded":true}`},
	{"function URL", &LambdaFunctionURLRequest{}, `{"version":"2.0","rawPath":"/p","rawQueryString":"a=1","cookies":["c=1"],
		"headers":{"h":"v"},"queryStringParameters":{"a":"1"},"body":"b","isBase64Encoded":false,
		"requestContext":{"accountId":"123456789012","requestId":"r","apiId":"url-id","domainName":"url-id.lambda-url.us-east-1.on.aws",
		"domainPrefix":"url-id","time":"12/Mar/2020:19:03:58 +0000","timeEpoch":1583348638390,
		"authorizer":{"iam":{"accessKey":"AKIA","accountId":"1","callerId":"c","userArn":"arn:u","userId":"u"}},
		"http":{"method":"POST","path":"/p","protocol":"HTTP/1.1","sourceIp":"127.0.0.1","userAgent":"ua"}}}`},
	{"function URL response", &LambdaFunctionURLResponse{}, `{"statusCode":200,"headers":{"a":"b"},"body":"x","isBase64Encoded":false,"cookies":["k=v"]}`},
	{"SQS", &SQSEvent{}, `{"Records":[{"messageId":"059f36b4-87a3-44ab-83d2-661975830a7d","receiptHandle":"AQEBwJ",
		"body":"Test message.","attributes":{"ApproximateReceiveCount":"1","SentTimestamp":"1545082649183"},
		"messageAttributes":{"attr":{"stringValue":"v","binaryValue":"AQID","stringListValues":["a"],"binaryListValues":["AQ=="],"dataType":"String"}},
		"md5OfBody":"e4e68fb7bd0e697a0ae8f1bb342846b3","md5OfMessageAttributes":"00484c68",
		"eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:us-east-2:123456789012:my-queue","awsRegion":"us-east-2"}]}`},
	{"SQS batch response", &SQSEventResponse{}, `{"batchItemFailures":[{"itemIdentifier":"id2"}]}`},
	{"SNS", &SNSEvent{}, `{"Records":[{"EventVersion":"1.0","EventSubscriptionArn":"arn:aws:sns:us-east-1:123456789012:topic:sub",
		"EventSource":"aws:sns","Sns":{"SignatureVersion":"1","Timestamp":"2019-01-02T12:45:07Z","Signature":"tcc6faL2yUC6dgZdmrwh1Y4cGa",
		"SigningCertUrl":"https://sns.example/cert.pem","MessageId":"95df01b4-ee98-5cb9-9903-4c221d41eb5e","Message":"Hello from SNS!",
		"MessageAttributes":{"Test":{"Type":"String","Value":"TestString"}},"Type":"Notification",
		"UnsubscribeUrl":"https://sns.example/unsub","TopicArn":"arn:aws:sns:us-east-1:123456789012:topic","Subject":"TestInvoke"}}]}`},
	{"S3", &S3Event{}, `{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1",
		"eventTime":"2019-09-03T19:37:27.192Z","eventName":"ObjectCreated:Put","userIdentity":{"principalId":"AWS:AIDAINPONIXQXHT3IKHL2"},
		"requestParameters":{"sourceIPAddress":"205.255.255.255"},"responseElements":{"x-amz-request-id":"D82B88E5F771F645"},
		"s3":{"s3SchemaVersion":"1.0","configurationId":"828aa6fc","bucket":{"name":"bucket","ownerIdentity":{"principalId":"A3I5XTEXAMAI3E"},
		"arn":"arn:aws:s3:::bucket"},"object":{"key":"my+photo%21.jpg","size":1305107,"urlDecodedKey":"my photo!.jpg",
		"eTag":"b21b84d653bb07b05b1e6b33684dc11b","versionId":"v1","sequencer":"0C0F6F405D6ED209E1"}}}]}`},
	{"EventBridge scheduled", &CloudWatchEvent{}, `{"version":"0","id":"53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
		"detail-type":"Scheduled Event","source":"aws.events","account":"123456789012","time":"2015-10-08T16:53:06Z",
		"region":"us-east-1","resources":["arn:aws:events:us-east-1:123456789012:rule/my-rule"],"detail":{"k":[1,2]}}`},
	{"Kinesis", &KinesisEvent{}, `{"Records":[{"kinesis":{"kinesisSchemaVersion":"1.0","partitionKey":"1",
		"sequenceNumber":"49590338271490256608559692538361571095921575989136588898","data":"SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==",
		"approximateArrivalTimestamp":1545084650.987,"encryptionType":"KMS"},"eventSource":"aws:kinesis","eventVersion":"1.0",
		"eventID":"shardId-000000000006:49590338271490256608559692538361571095921575989136588898","eventName":"aws:kinesis:record",
		"invokeIdentityArn":"arn:aws:iam::123456789012:role/lambda-role","awsRegion":"us-east-2",
		"eventSourceARN":"arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream"}]}`},
	{"DynamoDB stream", &DynamoDBEvent{}, `{"Records":[{"eventID":"1","eventVersion":"1.0","eventName":"MODIFY",
		"eventSource":"aws:dynamodb","awsRegion":"us-east-1","eventSourceARN":"arn:aws:dynamodb:us-east-1:123456789012:table/T/stream/2015",
		"userIdentity":{"type":"Service","principalId":"dynamodb.amazonaws.com"},
		"dynamodb":{"ApproximateCreationDateTime":1480642020,"Keys":{"Id":{"N":"101"}},
		"NewImage":{"Message":{"S":"New item!"},"Id":{"N":"101"},"Blob":{"B":"AQID"},"Ok":{"BOOL":true},"Nothing":{"NULL":true},
		"Tags":{"SS":["a","b"]},"Nums":{"NS":["1","2.5"]},"Blobs":{"BS":["AQ==","Ag=="]},
		"List":{"L":[{"S":"x"},{"N":"1"}]},"Map":{"M":{"k":{"S":"v"},"n":{"M":{"d":{"BOOL":false}}}}}},
		"OldImage":{"Message":{"S":"Old"}},"SequenceNumber":"111","SizeBytes":26,"StreamViewType":"NEW_AND_OLD_IMAGES"}}]}`},
	{"RabbitMQ", &RabbitMQEvent{}, `{"eventSource":"aws:rmq","eventSourceArn":"arn:aws:mq:us-west-2:111122223333:broker:test:b-9bcfa592",
		"rmqMessagesByQueue":{"pizzaQueue::/":[{"basicProperties":{"contentType":"text/plain","contentEncoding":null,
		"headers":{"header1":{"bytes":[118,97,108,117,101,49]},"numberInHeader":10},"deliveryMode":1,"priority":34,
		"correlationId":null,"replyTo":null,"expiration":"60000","messageId":null,"timestamp":"Jan 1, 1970, 12:33:41 AM",
		"type":null,"userId":"AIDACKCEVSQ6C2EXAMPLE","appId":null,"clusterId":null,"bodySize":80},
		"redelivered":false,"data":"eyJ0aW1lb3V0IjowLCJkYXRhIjoiQ1pybWYwR3c4T3Y0YnFMUXhENEUifQ=="}]}}`},
}

func TestEventsRoundTrip(t *testing.T) {
	for _, s := range samples {
		if err := json.Unmarshal([]byte(s.event), s.into); err != nil {
			t.Errorf("%s: decode: %v", s.name, err)
			continue
		}
		out, err := json.Marshal(s.into)
		if err != nil {
			t.Errorf("%s: encode: %v", s.name, err)
			continue
		}
		var want, got interface{}
		_ = json.Unmarshal([]byte(s.event), &want)
		_ = json.Unmarshal(out, &got)
		if path := missing(want, got, "$"); path != "" {
			t.Errorf("%s: %s did not survive the round trip:\n%s", s.name, path, out)
		}
		again := reflect.New(reflect.TypeOf(s.into).Elem()).Interface()
		if err := json.Unmarshal(out, again); err != nil || !reflect.DeepEqual(again, s.into) {
			t.Errorf("%s: re-decoding gives %+v (%v)", s.name, again, err)
		}
	}
}

// missing returns the first path of want that got lacks or holds differently ("" when none).
func missing(want, got interface{}, path string) string {
	switch w := want.(type) {
	case map[string]interface{}:
		g, ok := got.(map[string]interface{})
		if !ok {
			return path
		}
		for k, v := range w {
			if p := missing(v, g[k], path+"."+k); p != "" {
				return p
			}
		}
	case []interface{}:
		g, ok := got.([]interface{})
		if !ok || len(g) != len(w) {
			return path
		}
		for i := range w {
			if p := missing(w[i], g[i], path+"[]"); p != "" {
				return p
			}
		}
	default:
		if !reflect.DeepEqual(want, got) {
			return path
		}
	}
	return ""
}

func TestDecodedValues(t *testing.T) {
	var s3 S3Event
	_ = json.Unmarshal([]byte(samples[11].event), &s3)
	if k := s3.Records[0].S3.Object; k.Key != "my+photo%21.jpg" || k.URLDecodedKey != "my photo!.jpg" {
		t.Errorf("S3 key: %+v", k)
	}
	var kin KinesisEvent
	_ = json.Unmarshal([]byte(samples[13].event), &kin)
	r := kin.Records[0].Kinesis
	if string(r.Data) != "Hello, this is a test." || r.ApproximateArrivalTimestamp.UnixMilli() != 1545084650987 {
		t.Errorf("Kinesis record: %q %v", r.Data, r.ApproximateArrivalTimestamp.Time)
	}
	var ddb DynamoDBEvent
	_ = json.Unmarshal([]byte(samples[14].event), &ddb)
	img := ddb.Records[0].Change.NewImage
	id, err := img["Id"].Int64()
	if err != nil || id != 101 || img["Message"].String() != "New item!" || !img["Ok"].Boolean() ||
		!img["Nothing"].IsNull() || img["List"].List()[1].Number() != "1" ||
		img["Map"].Map()["n"].Map()["d"].Boolean() || string(img["Blob"].Binary()) != "\x01\x02\x03" ||
		img["Tags"].DataType() != DataTypeStringSet || ddb.Records[0].Change.ApproximateCreationDateTime.Unix() != 1480642020 {
		t.Errorf("DynamoDB image: %+v", img)
	}
	func() {
		defer func() {
			if _, ok := recover().(IncompatibleDynamoDBTypeError); !ok {
				t.Error("an accessor of the wrong type does not panic with IncompatibleDynamoDBTypeError")
			}
		}()
		img["Message"].Number()
	}()
	var av DynamoDBAttributeValue
	if err := json.Unmarshal([]byte(`{"X":1}`), &av); err == nil {
		t.Error("an unknown attribute type is accepted")
	}
	var cw CloudWatchEvent
	_ = json.Unmarshal([]byte(samples[12].event), &cw)
	if cw.DetailType != "Scheduled Event" || !cw.Time.Equal(time.Date(2015, 10, 8, 16, 53, 6, 0, time.UTC)) ||
		string(cw.Detail) != `{"k":[1,2]}` {
		t.Errorf("EventBridge: %+v", cw)
	}
	var ms MilliSecondsEpochTime
	if err := json.Unmarshal([]byte("1583348638390"), &ms); err != nil || ms.UnixMilli() != 1583348638390 {
		t.Errorf("milliseconds: %v %v", ms, err)
	}
	var rfc RFC3339EpochTime
	if b, _ := json.Marshal(RFC3339EpochTime{time.Unix(0, 0).UTC()}); json.Unmarshal(b, &rfc) != nil ||
		string(b) != `"1970-01-01T00:00:00Z"` || rfc.Unix() != 0 {
		t.Errorf("RFC 3339: %s", b)
	}
}
