module vajra.dev/lambda

go 1.19
