package events

import (
	"encoding/json"
	"math"
	"time"
)

// Stream events: Kinesis data streams and DynamoDB streams, their partial-batch responses, and the
// epoch-time types their timestamps use.

// KinesisEvent is a batch of Kinesis records.
type KinesisEvent struct {
	Records []KinesisEventRecord `json:"Records"`
}

// KinesisEventRecord is one record with its source.
type KinesisEventRecord struct {
	AwsRegion         string        `json:"awsRegion"`
	EventID           string        `json:"eventID"`
	EventName         string        `json:"eventName"`
	EventSource       string        `json:"eventSource"`
	EventSourceArn    string        `json:"eventSourceARN"`
	EventVersion      string        `json:"eventVersion"`
	InvokeIdentityArn string        `json:"invokeIdentityArn"`
	Kinesis           KinesisRecord `json:"kinesis"`
}

// KinesisRecord is the record's data (base64 in JSON, decoded into Data) and position.
type KinesisRecord struct {
	ApproximateArrivalTimestamp SecondsEpochTime `json:"approximateArrivalTimestamp"`
	Data                        []byte           `json:"data"`
	EncryptionType              string           `json:"encryptionType,omitempty"`
	PartitionKey                string           `json:"partitionKey"`
	SequenceNumber              string           `json:"sequenceNumber"`
	KinesisSchemaVersion        string           `json:"kinesisSchemaVersion"`
}

// KinesisEventResponse reports the records of a batch that failed.
type KinesisEventResponse struct {
	BatchItemFailures []KinesisBatchItemFailure `json:"batchItemFailures"`
}

// KinesisBatchItemFailure names a failed record by its sequence number.
type KinesisBatchItemFailure struct {
	ItemIdentifier string `json:"itemIdentifier"`
}

// DynamoDBEvent is a batch of DynamoDB stream records.
type DynamoDBEvent struct {
	Records []DynamoDBEventRecord `json:"Records"`
}

// DynamoDBEventRecord is one change to a table item.
type DynamoDBEventRecord struct {
	AWSRegion      string                `json:"awsRegion"`
	Change         DynamoDBStreamRecord  `json:"dynamodb"`
	EventID        string                `json:"eventID"`
	EventName      string                `json:"eventName"`
	EventSource    string                `json:"eventSource"`
	EventVersion   string                `json:"eventVersion"`
	EventSourceArn string                `json:"eventSourceARN"`
	UserIdentity   *DynamoDBUserIdentity `json:"userIdentity,omitempty"`
}

// DynamoDBUserIdentity is set for items removed by time to live.
type DynamoDBUserIdentity struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId"`
}

// DynamoDBStreamRecord is the change: keys, item images (as the stream's view type provides) and position.
type DynamoDBStreamRecord struct {
	ApproximateCreationDateTime SecondsEpochTime                  `json:"ApproximateCreationDateTime,omitempty"`
	Keys                        map[string]DynamoDBAttributeValue `json:"Keys,omitempty"`
	NewImage                    map[string]DynamoDBAttributeValue `json:"NewImage,omitempty"`
	OldImage                    map[string]DynamoDBAttributeValue `json:"OldImage,omitempty"`
	SequenceNumber              string                            `json:"SequenceNumber"`
	SizeBytes                   int64                             `json:"SizeBytes"`
	StreamViewType              string                            `json:"StreamViewType"`
}

// DynamoDBKeyType is HASH or RANGE.
type DynamoDBKeyType string

const (
	DynamoDBKeyTypeHash  DynamoDBKeyType = "HASH"
	DynamoDBKeyTypeRange DynamoDBKeyType = "RANGE"
)

// DynamoDBOperationType is a record's EventName.
type DynamoDBOperationType string

const (
	DynamoDBOperationTypeInsert DynamoDBOperationType = "INSERT"
	DynamoDBOperationTypeModify DynamoDBOperationType = "MODIFY"
	DynamoDBOperationTypeRemove DynamoDBOperationType = "REMOVE"
)

// DynamoDBSharedIteratorType is where a stream is read from.
type DynamoDBSharedIteratorType string

const (
	DynamoDBShardIteratorTypeTrimHorizon         DynamoDBSharedIteratorType = "TRIM_HORIZON"
	DynamoDBShardIteratorTypeLatest              DynamoDBSharedIteratorType = "LATEST"
	DynamoDBShardIteratorTypeAtSequenceNumber    DynamoDBSharedIteratorType = "AT_SEQUENCE_NUMBER"
	DynamoDBShardIteratorTypeAfterSequenceNumber DynamoDBSharedIteratorType = "AFTER_SEQUENCE_NUMBER"
)

// DynamoDBStreamStatus is a stream's state.
type DynamoDBStreamStatus string

const (
	DynamoDBStreamStatusEnabling  DynamoDBStreamStatus = "ENABLING"
	DynamoDBStreamStatusEnabled   DynamoDBStreamStatus = "ENABLED"
	DynamoDBStreamStatusDisabling DynamoDBStreamStatus = "DISABLING"
	DynamoDBStreamStatusDisabled  DynamoDBStreamStatus = "DISABLED"
)

// DynamoDBStreamViewType is what a stream record carries of the item.
type DynamoDBStreamViewType string

const (
	DynamoDBStreamViewTypeNewImage        DynamoDBStreamViewType = "NEW_IMAGE"
	DynamoDBStreamViewTypeOldImage        DynamoDBStreamViewType = "OLD_IMAGE"
	DynamoDBStreamViewTypeNewAndOldImages DynamoDBStreamViewType = "NEW_AND_OLD_IMAGES"
	DynamoDBStreamViewTypeKeysOnly        DynamoDBStreamViewType = "KEYS_ONLY"
)

// DynamoDBEventResponse reports the records of a batch that failed.
type DynamoDBEventResponse struct {
	BatchItemFailures []DynamoDBBatchItemFailure `json:"batchItemFailures"`
}

// DynamoDBBatchItemFailure names a failed record by its sequence number.
type DynamoDBBatchItemFailure struct {
	ItemIdentifier string `json:"itemIdentifier"`
}

// SecondsEpochTime is a time written in JSON as seconds since the epoch (with a fraction).
type SecondsEpochTime struct {
	time.Time
}

// MilliSecondsEpochTime is a time written in JSON as whole milliseconds since the epoch.
type MilliSecondsEpochTime struct {
	time.Time
}

// RFC3339EpochTime is a time written in JSON as an RFC 3339 string.
type RFC3339EpochTime struct {
	time.Time
}

func (e SecondsEpochTime) MarshalJSON() ([]byte, error) {
	return json.Marshal(float64(e.UnixNano()) / 1e9)
}

func (e *SecondsEpochTime) UnmarshalJSON(b []byte) error {
	var seconds float64
	if err := json.Unmarshal(b, &seconds); err != nil {
		return err
	}
	// Rounded to the microsecond: a float64 of today's epoch seconds holds no finer digits, and
	// truncating would turn .987 into .986999988.
	whole, frac := math.Modf(seconds)
	e.Time = time.Unix(int64(whole), int64(math.Round(frac*1e6))*1e3)
	return nil
}

func (e MilliSecondsEpochTime) MarshalJSON() ([]byte, error) {
	return json.Marshal(e.UnixNano() / int64(time.Millisecond))
}

func (e *MilliSecondsEpochTime) UnmarshalJSON(b []byte) error {
	var ms int64
	if err := json.Unmarshal(b, &ms); err != nil {
		return err
	}
	e.Time = time.UnixMilli(ms)
	return nil
}

func (e RFC3339EpochTime) MarshalJSON() ([]byte, error) {
	return json.Marshal(e.Format(time.RFC3339))
}

func (e *RFC3339EpochTime) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return err
	}
	e.Time = t
	return nil
}
