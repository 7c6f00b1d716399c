module vajra.dev/lambda

go 1.19

require github.com/aws/aws-lambda-go v1.47.0

// Vajra's bundled implementation of aws-lambda-go (builds add the same replace to the function's go.mod).
replace github.com/aws/aws-lambda-go => ../aws-lambda-go
