// Package events declares the event and response types of the AWS services that invoke Lambda
// functions (API Gateway, ALB, function URLs, SQS, SNS, S3, EventBridge, Kinesis, DynamoDB streams,
// Amazon MQ for RabbitMQ), with the field names and JSON keys of github.com/aws/aws-lambda-go/events.
// Vajra bundles its own declarations so that functions written for AWS build offline unchanged.
package events
