package lambda

// The Lambda endpoint relay: AWS_ENDPOINT_URL_LAMBDA names 127.0.0.1:9002 inside a Vajra sandbox, which
// has no route to the host in any network mode; each connection there is relayed to the endpoint's
// UNIX socket (/run/vajra-lambda/lambda.sock), so the AWS SDK for Go reaches Lambda with the function's role.

import (
	"io"
	"log"
	"net"
	"os"
)

func startEndpointRelay() {
	const path = "/run/vajra-lambda/lambda.sock" // bound into every sandbox by the server
	if _, err := os.Stat(path); err != nil {
		return // no isolation (or an older server): nothing to relay to
	}
	ln, err := net.Listen("tcp", "127.0.0.1:9002")
	if err != nil {
		log.Printf("lambda: no Lambda endpoint relay: %v", err)
		return
	}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go relay(conn, path)
		}
	}()
}

func relay(conn net.Conn, path string) {
	defer conn.Close()
	up, err := net.Dial("unix", path)
	if err != nil {
		return
	}
	defer up.Close()
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(conn, up)
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		}
		close(done)
	}()
	_, _ = io.Copy(up, conn)
	if uc, ok := up.(*net.UnixConn); ok {
		_ = uc.CloseWrite()
	}
	<-done
}
