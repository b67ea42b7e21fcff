// `aegis-bench sframe`: frames per second for SFrame encrypt and decrypt
// (suite 0x0004, AES_128_GCM_SHA256_128) of 1,200-byte and 30,000-byte
// frames, Aegis vs raw OpenSSL EVP AES-128-GCM on the same data, side by
// side in one run (DESIGN.md §7). As `aegis-bench srtp`: rates from CPU time,
// median of the repetitions (default 5), randomly interleaved.
#include "bench/sframe_bench.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "bench/sframe_impls.h"

namespace aegis::bench {
namespace {

constexpr size_t kSizes[] = {1200, 30000};
constexpr const char* kImpls[] = {"aegis", "openssl"};
constexpr const char* kOps[] = {"encrypt", "decrypt"};

void RunEncrypt(benchmark::State& state, SframeImpl* impl) {
  for (auto _ : state) {
    if (!impl->Encrypt()) {
      state.SkipWithError("encrypt failed");
      break;
    }
  }
}

void RunDecrypt(benchmark::State& state, SframeImpl* impl) {
  if (!impl->ResetReceiver()) {  // each run starts the ring afresh
    state.SkipWithError("receiver reset failed");
    return;
  }
  size_t i = 0;
  for (auto _ : state) {
    if (i == impl->ring_size()) {
      state.PauseTiming();
      bool ok = impl->ResetReceiver();
      state.ResumeTiming();
      if (!ok) {
        state.SkipWithError("receiver reset failed");
        break;
      }
      i = 0;
    }
    if (!impl->Decrypt(i++)) {
      state.SkipWithError("decrypt failed");
      break;
    }
  }
}

struct Key {
  size_t size;
  std::string op, impl;
  bool operator<(const Key& o) const { return std::tie(size, op, impl) < std::tie(o.size, o.op, o.impl); }
};

// Collects frames/s of every repetition; prints nothing while running.
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
      } else if (r.cpu_accumulated_time > 0) {
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
  size_t samples() const { return samples_.empty() ? 0 : samples_.begin()->second.size(); }
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  const std::map<std::string, Key>& names_;
  std::map<Key, std::vector<double>> samples_;
  std::vector<std::string> errors_;
};

void PrintTable(const std::map<Key, double>& fps, size_t repetitions) {
  std::printf("SFrame AES_128_GCM_SHA256_128 (0x0004); frames/s (CPU time), median of %zu repetitions\n\n",
              repetitions);
  std::printf("%-7s %-8s %12s %12s %11s %11s %14s\n", "frame", "op", "aegis", "openssl", "aegis MB/s", "ossl MB/s",
              "aegis/openssl");
  for (size_t size : kSizes) {
    for (const char* op : kOps) {
      auto get = [&](const char* impl) {
        auto it = fps.find(Key{size, op, impl});
        return it == fps.end() ? 0.0 : it->second;
      };
      double a = get("aegis"), o = get("openssl");
      std::printf("%-7zu %-8s %12.0f %12.0f %11.0f %11.0f %13.2fx\n", size, op, a, o, a * double(size) / 1e6,
                  o * double(size) / 1e6, o > 0 ? a / o : 0.0);
    }
  }
}

}  // namespace

int RunSframeBench(int argc, char** argv) {
  bool json = false, has_repetitions = false, has_interleaving = false;
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
  std::vector<std::unique_ptr<SframeImpl>> impls;
  std::map<std::string, Key> names;
  for (size_t size : kSizes) {
    for (const char* impl_name : kImpls) {
      for (const char* op : kOps) {
        auto impl = std::string(impl_name) == "aegis" ? MakeAegisSframeImpl(size) : MakeOpenSslGcmImpl(size);
        if (impl->ring_size() == 0) {
          std::fprintf(stderr, "cannot set up %s for %zu-byte frames\n", impl_name, size);
          return 1;
        }
        std::string name = std::to_string(size) + "/" + op + "/" + impl_name;
        names[name] = Key{size, op, impl_name};
        SframeImpl* raw = impl.get();
        bool encrypt = std::string(op) == "encrypt";
        benchmark::RegisterBenchmark(name.c_str(), [raw, encrypt](benchmark::State& s) {
          encrypt ? RunEncrypt(s, raw) : RunDecrypt(s, raw);
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
    for (const auto& [key, fps] : medians) {
      std::printf("{\"frame_size\": %zu, \"op\": \"%s\", \"impl\": \"%s\", \"fps\": %.0f}\n", key.size,
                  key.op.c_str(), key.impl.c_str(), fps);
    }
  } else {
    PrintTable(medians, collector.samples());
  }
  return collector.errors().empty() ? 0 : 1;
}

}  // namespace aegis::bench
