// A minimal Go function for Vajra: greets the caller and shows the invocation's context.
package main

import (
	"context"
	"fmt"
	"log"
	"time"

	"vajra.dev/lambda"
)

type Event struct {
	Name string `json:"name"`
}

type Response struct {
	Message         string `json:"message"`
	RequestID       string `json:"requestId"`
	FunctionName    string `json:"functionName"`
	MemoryLimitInMB int    `json:"memoryLimitInMB"`
	RemainingMs     int64  `json:"remainingMs"`
}

func handler(ctx context.Context, ev Event) (Response, error) {
	if ev.Name == "" {
		ev.Name = "world"
	}
	lc, _ := lambda.FromContext(ctx)
	deadline, _ := ctx.Deadline()
	log.Printf("greeting %q (request %s)", ev.Name, lc.AwsRequestID)
	return Response{
		Message:         fmt.Sprintf("Hello, %s!", ev.Name),
		RequestID:       lc.AwsRequestID,
		FunctionName:    lambda.FunctionName,
		MemoryLimitInMB: lambda.MemoryLimitInMB,
		RemainingMs:     time.Until(deadline).Milliseconds(),
	}, nil
}

func main() {
	lambda.Start(handler)
}
