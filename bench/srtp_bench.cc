// `aegis-bench srtp`: packets per second for SRTP protect and unprotect of
// RTP packets with a 1200-byte payload, Aegis vs libsrtp2 vs raw OpenSSL,
// side by side in one run (DESIGN.md §7). Rates are from CPU time (the
// machine is shared: wall time also counts other people's work), median of
// the repetitions (default 5), repetitions randomly interleaved across all
// benchmarks so that drift in machine load hits every implementation alike.
#include "bench/srtp_bench.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "bench/srtp_impls.h"

namespace aegis::bench {
namespace {

using srtp::Profile;

constexpr Profile kProfiles[] = {Profile::kAeadAes128Gcm, Profile::kAes128CmHmacSha1_80};
constexpr const char* kImpls[] = {"aegis", "libsrtp2", "openssl"};
constexpr const char* kOps[] = {"protect", "unprotect"};

std::unique_ptr<SrtpImpl> Make(const std::string& impl, Profile profile) {
  if (impl == "aegis") return MakeAegisImpl(profile);
  if (impl == "libsrtp2") return MakeLibSrtpImpl(profile);
  return MakeOpenSslImpl(profile);
}

void RunProtect(benchmark::State& state, SrtpImpl* impl) {
  for (auto _ : state) {
    if (!impl->Protect()) {
      state.SkipWithError("protect failed");
      break;
    }
  }
}

void RunUnprotect(benchmark::State& state, SrtpImpl* impl) {
  // Every run (Google Benchmark calls this several times) starts the ring
  // from its beginning; before the loop the timer is not running.
  if (!impl->ResetReceiver()) {
    state.SkipWithError("receiver reset failed");
    return;
  }
  size_t i = 0;
  for (auto _ : state) {
    if (i == kRingSize) {
      state.PauseTiming();
      bool ok = impl->ResetReceiver();
      state.ResumeTiming();
      if (!ok) {
        state.SkipWithError("receiver reset failed");
        break;
      }
      i = 0;
    }
    if (!impl->Unprotect(i++)) {
      state.SkipWithError("unprotect failed");
      break;
    }
  }
}

struct Key {
  std::string profile, op, impl;
  bool operator<(const Key& o) const {
    return std::tie(profile, op, impl) < std::tie(o.profile, o.op, o.impl);
  }
};

// Collects packets/s of every repetition; prints nothing while running.
class Collector : public benchmark::BenchmarkReporter {
 public:
  explicit Collector(const std::map<std::string, Key>& names) : names_(names) {}
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      if (r.run_type != Run::RT_Iteration) continue;
      auto it = names_.find(r.run_name.function_name);
      if (it == names_.end()) continue;
      if (r.error_occurred) {
        errors_.push_back(r.run_name.function_name + ": " + r.error_message);
        continue;
      }
      if (r.cpu_accumulated_time > 0) {
        samples_[it->second].push_back(static_cast<double>(r.iterations) / r.cpu_accumulated_time);
      }
    }
  }
  std::map<Key, double> Medians() const {
    std::map<Key, double> out;
    for (auto [key, v] : samples_) {
      std::sort(v.begin(), v.end());
      out[key] = v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
    }
    return out;
  }
  size_t samples(const Key& k) const { return samples_.count(k) ? samples_.at(k).size() : 0; }
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  const std::map<std::string, Key>& names_;
  std::map<Key, std::vector<double>> samples_;
  std::vector<std::string> errors_;
};

void PrintTable(const std::map<Key, double>& pps, int repetitions) {
  std::printf("SRTP, RTP packets with a 12-byte header and 1200-byte payload; packets/s (CPU time),\n");
  std::printf("median of %d repetitions\n\n", repetitions);
  std::printf("%-24s %-9s %12s %12s %12s %15s %14s\n", "profile", "op", "aegis", "libsrtp2", "openssl",
              "aegis/libsrtp2", "aegis/openssl");
  for (Profile p : kProfiles) {
    std::string profile(srtp::GetProfileParams(p).name);
    for (const char* op : kOps) {
      auto get = [&](const char* impl) {
        auto it = pps.find(Key{profile, op, impl});
        return it == pps.end() ? 0.0 : it->second;
      };
      double a = get("aegis"), l = get("libsrtp2"), o = get("openssl");
      std::printf("%-24s %-9s %12.0f %12.0f %12.0f %14.2fx %13.2fx\n", profile.c_str(), op, a, l, o,
                  l > 0 ? a / l : 0.0, o > 0 ? a / o : 0.0);
    }
  }
}

}  // namespace

int RunSrtpBench(int argc, char** argv) {
  bool json = false;
  bool has_repetitions = false, has_interleaving = false;
  std::vector<char*> args = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--json") {
      json = true;
      continue;
    }
    has_repetitions |= a.rfind("--benchmark_repetitions", 0) == 0;
    has_interleaving |= a.rfind("--benchmark_enable_random_interleaving", 0) == 0;
    args.push_back(argv[i]);
  }
  static char kRepetitions[] = "--benchmark_repetitions=5";
  static char kInterleave[] = "--benchmark_enable_random_interleaving=true";
  if (!has_repetitions) args.push_back(kRepetitions);
  if (!has_interleaving) args.push_back(kInterleave);
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 2;

  // Implementations live for the whole run, made before any timing starts.
  std::vector<std::unique_ptr<SrtpImpl>> impls;
  std::map<std::string, Key> names;
  for (Profile p : kProfiles) {
    std::string profile(srtp::GetProfileParams(p).name);
    for (const char* impl_name : kImpls) {
      for (const char* op : kOps) {
        auto impl = Make(impl_name, p);
        if (!impl) {
          std::fprintf(stderr, "cannot set up %s %s\n", impl_name, profile.c_str());
          return 1;
        }
        std::string name = profile + "/" + op + "/" + impl_name;
        names[name] = Key{profile, op, impl_name};
        SrtpImpl* raw = impl.get();
        bool protect = std::string(op) == "protect";
        benchmark::RegisterBenchmark(name.c_str(), [raw, protect](benchmark::State& s) {
          protect ? RunProtect(s, raw) : RunUnprotect(s, raw);
        });
        impls.push_back(std::move(impl));
      }
    }
  }

  Collector collector(names);
  benchmark::RunSpecifiedBenchmarks(&collector);
  benchmark::Shutdown();
  for (const auto& e : collector.errors()) std::fprintf(stderr, "error: %s\n", e.c_str());
  auto medians = collector.Medians();
  if (json) {
    for (const auto& [key, pps] : medians) {
      std::printf("{\"profile\": \"%s\", \"op\": \"%s\", \"impl\": \"%s\", \"pps\": %.0f}\n", key.profile.c_str(),
                  key.op.c_str(), key.impl.c_str(), pps);
    }
  } else {
    size_t reps = medians.empty() ? 0 : collector.samples(medians.begin()->first);
    PrintTable(medians, static_cast<int>(reps));
  }
  return collector.errors().empty() ? 0 : 1;
}

}  // namespace aegis::bench
