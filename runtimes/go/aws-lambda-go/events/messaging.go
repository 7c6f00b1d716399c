package events

import (
	"encoding/json"
	"net/url"
	"time"
)

// Messaging and notification events: SQS, SNS, S3 notifications, EventBridge (CloudWatch Events),
// Amazon MQ for RabbitMQ, and the partial-batch responses of the queue and stream sources.

// SQSEvent is a batch of messages from an SQS queue.
type SQSEvent struct {
	Records []SQSMessage `json:"Records"`
}

// SQSMessage is one queue message.
type SQSMessage struct {
	MessageId              string                         `json:"messageId"` //nolint:stylecheck
	ReceiptHandle          string                         `json:"receiptHandle"`
	Body                   string                         `json:"body"`
	Md5OfBody              string                         `json:"md5OfBody"`
	Md5OfMessageAttributes string                         `json:"md5OfMessageAttributes"`
	Attributes             map[string]string              `json:"attributes"`
	MessageAttributes      map[string]SQSMessageAttribute `json:"messageAttributes"`
	EventSourceARN         string                         `json:"eventSourceARN"`
	EventSource            string                         `json:"eventSource"`
	AWSRegion              string                         `json:"awsRegion"`
}

// SQSMessageAttribute is one message attribute (binary values are base64 in JSON).
type SQSMessageAttribute struct {
	StringValue      *string  `json:"stringValue,omitempty"`
	BinaryValue      []byte   `json:"binaryValue,omitempty"`
	StringListValues []string `json:"stringListValues"`
	BinaryListValues [][]byte `json:"binaryListValues"`
	DataType         string   `json:"dataType"`
}

// SQSEventResponse reports the messages of a batch that failed (ReportBatchItemFailures).
type SQSEventResponse struct {
	BatchItemFailures []SQSBatchItemFailure `json:"batchItemFailures"`
}

// SQSBatchItemFailure names a failed message by its message id.
type SQSBatchItemFailure struct {
	ItemIdentifier string `json:"itemIdentifier"`
}

// SNSEvent is a notification delivered by an SNS topic.
type SNSEvent struct {
	Records []SNSEventRecord `json:"Records"`
}

// SNSEventRecord is one delivery.
type SNSEventRecord struct {
	EventVersion         string    `json:"EventVersion"`
	EventSubscriptionArn string    `json:"EventSubscriptionArn"`
	EventSource          string    `json:"EventSource"`
	SNS                  SNSEntity `json:"Sns"`
}

// SNSEntity is the notification itself.
type SNSEntity struct {
	Signature         string                 `json:"Signature"`
	MessageID         string                 `json:"MessageId"`
	Type              string                 `json:"Type"`
	TopicArn          string                 `json:"TopicArn"`
	MessageAttributes map[string]interface{} `json:"MessageAttributes"`
	SignatureVersion  string                 `json:"SignatureVersion"`
	Timestamp         time.Time              `json:"Timestamp"`
	SigningCertURL    string                 `json:"SigningCertUrl"`
	Message           string                 `json:"Message"`
	UnsubscribeURL    string                 `json:"UnsubscribeUrl"`
	Subject           string                 `json:"Subject"`
}

// S3Event is a batch of S3 event notifications.
type S3Event struct {
	Records []S3EventRecord `json:"Records"`
}

// S3EventRecord is one notification: what happened to which object, when, and by whom.
type S3EventRecord struct {
	EventVersion      string              `json:"eventVersion"`
	EventSource       string              `json:"eventSource"`
	AWSRegion         string              `json:"awsRegion"`
	EventTime         time.Time           `json:"eventTime"`
	EventName         string              `json:"eventName"`
	PrincipalID       S3UserIdentity      `json:"userIdentity"`
	RequestParameters S3RequestParameters `json:"requestParameters"`
	ResponseElements  map[string]string   `json:"responseElements"`
	S3                S3Entity            `json:"s3"`
}

// S3UserIdentity is an AWS principal.
type S3UserIdentity struct {
	PrincipalID string `json:"principalId"`
}

// S3RequestParameters holds the address the request came from.
type S3RequestParameters struct {
	SourceIPAddress string `json:"sourceIPAddress"`
}

// S3Entity names the bucket and object of a notification.
type S3Entity struct {
	SchemaVersion   string   `json:"s3SchemaVersion"`
	ConfigurationID string   `json:"configurationId"`
	Bucket          S3Bucket `json:"bucket"`
	Object          S3Object `json:"object"`
}

// S3Bucket is the notification's bucket.
type S3Bucket struct {
	Name          string         `json:"name"`
	OwnerIdentity S3UserIdentity `json:"ownerIdentity"`
	Arn           string         `json:"arn"`
}

// S3Object is the notification's object. Key is URL-encoded, as S3 sends it; URLDecodedKey is filled
// in from it when the event is decoded.
type S3Object struct {
	Key           string `json:"key"`
	Size          int64  `json:"size,omitempty"`
	URLDecodedKey string `json:"urlDecodedKey"`
	VersionID     string `json:"versionId"`
	ETag          string `json:"eTag"`
	Sequencer     string `json:"sequencer"`
}

// UnmarshalJSON decodes the object and sets URLDecodedKey from Key (form encoding: "+" is a space).
func (o *S3Object) UnmarshalJSON(data []byte) error {
	type plain S3Object // the same fields without this method
	if err := json.Unmarshal(data, (*plain)(o)); err != nil {
		return err
	}
	decoded, err := url.QueryUnescape(o.Key)
	if err != nil {
		return err
	}
	o.URLDecodedKey = decoded
	return nil
}

// S3TestEvent is the message S3 sends once when a notification configuration is created.
type S3TestEvent struct {
	Service   string    `json:"Service"`
	Bucket    string    `json:"Bucket"`
	Event     string    `json:"Event"`
	Time      time.Time `json:"Time"`
	RequestID string    `json:"RequestId"`
	HostID    string    `json:"HostId"`
}

// CloudWatchEvent is an EventBridge (CloudWatch Events) event, including scheduled events, whose
// detail is "{}". Detail is kept raw: decode it into the type its DetailType calls for.
type CloudWatchEvent struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	AccountID  string          `json:"account"`
	Time       time.Time       `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

// EventBridgeEvent is the same event under EventBridge's name.
type EventBridgeEvent = CloudWatchEvent

// RabbitMQEvent is a batch of messages from an Amazon MQ for RabbitMQ broker, by "queue::vhost".
type RabbitMQEvent struct {
	EventSource     string                       `json:"eventSource"`
	EventSourceARN  string                       `json:"eventSourceArn"`
	MessagesByQueue map[string][]RabbitMQMessage `json:"rmqMessagesByQueue"`
}

// RabbitMQMessage is one message; Data is its body, base64-encoded.
type RabbitMQMessage struct {
	BasicProperties RabbitMQBasicProperties `json:"basicProperties"`
	Data            string                  `json:"data"`
	Redelivered     bool                    `json:"redelivered"`
}

// RabbitMQBasicProperties are the AMQP properties of a message (nil pointers for absent ones).
type RabbitMQBasicProperties struct {
	ContentType     string                 `json:"contentType"`
	ContentEncoding *string                `json:"contentEncoding"`
	Headers         map[string]interface{} `json:"headers"`
	DeliveryMode    uint8                  `json:"deliveryMode"`
	Priority        uint8                  `json:"priority"`
	CorrelationID   *string                `json:"correlationId"`
	ReplyTo         *string                `json:"replyTo"`
	Expiration      string                 `json:"expiration"`
	MessageID       *string                `json:"messageId"`
	Timestamp       string                 `json:"timestamp"`
	Type            *string                `json:"type"`
	UserID          string                 `json:"userId"`
	AppID           *string                `json:"appId"`
	ClusterID       *string                `json:"clusterId"`
	BodySize        uint64                 `json:"bodySize"`
}
