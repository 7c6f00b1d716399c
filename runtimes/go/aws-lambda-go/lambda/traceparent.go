package lambda

import "strings"

// traceparent gives the W3C form of an X-Ray trace header (Vajra's TRACEPARENT variable):
// Root=1-a-b;Parent=p;Sampled=s becomes 00-ab-p-0s. It is empty when the header lacks a
// well-formed Root or Parent, so a request sent onward with it continues the trace under the handler span.
func traceparent(xray string) string {
	var root, parent, sampled string
	for _, part := range strings.Split(xray, ";") {
		kv := strings.SplitN(part, "=", 2)
		if len(kv) != 2 {
			continue
		}
		switch kv[0] {
		case "Root":
			root = kv[1]
		case "Parent":
			parent = kv[1]
		case "Sampled":
			sampled = kv[1]
		}
	}
	r := strings.Split(root, "-")
	if len(r) != 3 || len(r[1]) != 8 || len(r[2]) != 24 || len(parent) != 16 {
		return ""
	}
	flags := "00"
	if sampled == "1" {
		flags = "01"
	}
	return "00-" + r[1] + r[2] + "-" + parent + "-" + flags
}
