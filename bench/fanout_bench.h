#pragma once

namespace aegis::bench {

// `aegis-bench fanout [--benchmark_* flags]`: the server's forwarding path
// (unprotect, route, rewrite, protect per subscriber) in-process, no
// sockets; returns the exit code.
int RunFanoutBench(int argc, char** argv);

}  // namespace aegis::bench
