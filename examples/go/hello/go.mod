module example.com/hello

go 1.19

require vajra.dev/lambda v0.0.0

// Vajra's build points this at its bundled copy; for local builds use the repository's.
replace vajra.dev/lambda => ../../../runtimes/go/lambda
