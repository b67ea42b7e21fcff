#pragma once

namespace aegis::bench {

// `aegis-bench srtp [--json] [--benchmark_* flags]`; returns the exit code.
int RunSrtpBench(int argc, char** argv);

}  // namespace aegis::bench
