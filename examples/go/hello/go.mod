module example.com/hello

go 1.19

require vajra.dev/lambda v0.0.0

require github.com/aws/aws-lambda-go v1.47.0 // indirect

// Vajra's build points these at its bundled copies; for local builds use the repository's.
replace vajra.dev/lambda => ../../../runtimes/go/lambda

replace github.com/aws/aws-lambda-go => ../../../runtimes/go/aws-lambda-go
