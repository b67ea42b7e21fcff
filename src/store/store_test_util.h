// Test-only helpers shared by the store and CLI tests: a temporary folder
// removed afterwards, and a data folder opened at a fixed time and seed.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>

#include "base/random.h"
#include "store/data_folder.h"

namespace aegis::store::testing {

inline constexpr int64_t kNow = 1'700'000'000;  // 2023-11-14T22:13:20Z

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "aegis-test-XXXXXX").string();
    char* made = ::mkdtemp(tmpl.data());
    EXPECT_NE(made, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline DataFolder MustOpen(const std::string& path, uint64_t seed = 1) {
  SeededRandom random(seed);
  auto data = DataFolder::Open(path, random, kNow);
  EXPECT_TRUE(data.ok()) << (data.ok() ? "" : data.error().message);
  return std::move(data).value();
}

}  // namespace aegis::store::testing
