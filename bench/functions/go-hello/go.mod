module bench.vajra.dev/hello

go 1.19

require vajra.dev/lambda v0.0.0
