# The entry point of Vajra's Python runtime. The runtime itself is the module _vajra_bootstrap beside
# this file: a script run as __main__ is compiled at every start (about 10 ms for the runtime), a module's
# bytecode is read from __pycache__.
import _vajra_bootstrap

_vajra_bootstrap.main()
