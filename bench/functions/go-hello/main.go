// The benchmark's Go hello: the least a function can do, so the platform's cost is what is measured.
package main

import "vajra.dev/lambda"

type Event struct {
	Name string `json:"name"`
}

func handler(ev Event) (map[string]string, error) {
	if ev.Name == "" {
		ev.Name = "world"
	}
	return map[string]string{"hello": ev.Name}, nil
}

func main() {
	lambda.Start(handler)
}
