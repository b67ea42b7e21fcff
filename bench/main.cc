// aegis-bench: micro-benchmarks, one subcommand per subject.
//   aegis-bench srtp [--json] [--benchmark_* flags of Google Benchmark]
#include <cstdio>
#include <cstring>

#include "bench/srtp_bench.h"

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "srtp") == 0) {
    // Hand the subcommand's own arguments on, keeping argv[0].
    argv[1] = argv[0];
    return aegis::bench::RunSrtpBench(argc - 1, argv + 1);
  }
  std::fprintf(stderr,
               "usage: %s srtp [--json] [--benchmark_repetitions=N] [--benchmark_min_time=S] ...\n"
               "  srtp   SRTP protect/unprotect packets/s: Aegis vs libsrtp2 vs raw OpenSSL\n",
               argc > 0 ? argv[0] : "aegis-bench");
  return 2;
}
