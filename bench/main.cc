// aegis-bench: micro-benchmarks, one subcommand per subject.
//   aegis-bench srtp [--json] [--benchmark_* flags of Google Benchmark]
//   aegis-bench sframe [--json] [--benchmark_* flags of Google Benchmark]
//   aegis-bench fanout [--benchmark_* flags of Google Benchmark]
#include <cstdio>
#include <cstring>

#include "bench/fanout_bench.h"
#include "bench/sframe_bench.h"
#include "bench/srtp_bench.h"

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "srtp") == 0) {
    // Hand the subcommand's own arguments on, keeping argv[0].
    argv[1] = argv[0];
    return aegis::bench::RunSrtpBench(argc - 1, argv + 1);
  }
  if (argc >= 2 && std::strcmp(argv[1], "sframe") == 0) {
    argv[1] = argv[0];
    return aegis::bench::RunSframeBench(argc - 1, argv + 1);
  }
  if (argc >= 2 && std::strcmp(argv[1], "fanout") == 0) {
    argv[1] = argv[0];
    return aegis::bench::RunFanoutBench(argc - 1, argv + 1);
  }
  std::fprintf(stderr,
               "usage: %s srtp|sframe|fanout [--json] [--benchmark_repetitions=N] [--benchmark_min_time=S] ...\n"
               "  srtp   SRTP protect/unprotect packets/s: Aegis vs libsrtp2 vs raw OpenSSL\n"
               "  sframe SFrame (0x0004) encrypt/decrypt frames/s: Aegis vs raw OpenSSL AES-128-GCM\n"
               "  fanout the server's forwarding path per forwarded packet, 1..200 subscribers (no sockets)\n",
               argc > 0 ? argv[0] : "aegis-bench");
  return 2;
}
