#include "app/self_check.h"

#include <gtest/gtest.h>

namespace aegis::app {
namespace {

TEST(SelfCheck, EveryKnownAnswerCheckPasses) {
  auto results = RunSelfChecks();
  ASSERT_GE(results.size(), 4u);
  for (const auto& r : results) EXPECT_TRUE(r.passed) << r.name;
}

}  // namespace
}  // namespace aegis::app
