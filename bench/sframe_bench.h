#pragma once

namespace aegis::bench {

// `aegis-bench sframe [--json] [--benchmark_* flags]`; returns the exit code.
int RunSframeBench(int argc, char** argv);

}  // namespace aegis::bench
