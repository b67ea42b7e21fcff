#include "load/proc_status.h"

#include <gtest/gtest.h>

namespace aegis::load {
namespace {

// As a 6.x kernel prints it (trimmed).
constexpr std::string_view kStatus =
    "Name:\taegis\n"
    "Umask:\t0022\n"
    "State:\tS (sleeping)\n"
    "VmPeak:\t  912340 kB\n"
    "VmSize:\t  845012 kB\n"
    "VmHWM:\t   61234 kB\n"
    "VmRSS:\t   52480 kB\n"
    "RssAnon:\t   40960 kB\n"
    "Threads:\t3\n";

TEST(ProcStatusTest, ReadsKilobyteFieldsAsBytes) {
  EXPECT_EQ(StatusFieldBytes(kStatus, "VmRSS"), 52480u * 1024);
  EXPECT_EQ(StatusFieldBytes(kStatus, "VmHWM"), 61234u * 1024);
  EXPECT_EQ(StatusFieldBytes(kStatus, "RssAnon"), 40960u * 1024);
  auto m = ParseProcessMemory(kStatus);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->rss_bytes, 52480u * 1024);
  EXPECT_EQ(m->peak_rss_bytes, 61234u * 1024);
}

TEST(ProcStatusTest, MatchesTheWholeFieldName) {
  // "VmRSS" is not "VmRS", and "Rss" does not match "RssAnon".
  EXPECT_FALSE(StatusFieldBytes(kStatus, "VmRS"));
  EXPECT_FALSE(StatusFieldBytes(kStatus, "Rss"));
  EXPECT_FALSE(StatusFieldBytes(kStatus, "Missing"));
}

TEST(ProcStatusTest, RejectsWhatIsNotKilobytes) {
  EXPECT_FALSE(StatusFieldBytes(kStatus, "Threads"));  // a count, no unit
  EXPECT_FALSE(StatusFieldBytes(kStatus, "Name"));
  EXPECT_FALSE(StatusFieldBytes("VmRSS:\t 12 MB\n", "VmRSS"));
  EXPECT_FALSE(StatusFieldBytes("VmRSS:\t kB\n", "VmRSS"));
  EXPECT_FALSE(StatusFieldBytes("VmRSS:\t99999999999999999999 kB\n", "VmRSS"));  // overflows
  EXPECT_EQ(StatusFieldBytes("VmRSS:\t0 kB", "VmRSS"), 0u);  // no final newline
}

TEST(ProcStatusTest, AZombieHasNoMemoryFields) {
  EXPECT_FALSE(ParseProcessMemory("Name:\taegis\nState:\tZ (zombie)\nThreads:\t1\n"));
  EXPECT_FALSE(ParseProcessMemory(""));
}

}  // namespace
}  // namespace aegis::load
