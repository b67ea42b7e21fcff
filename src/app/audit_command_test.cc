#include "app/audit_command.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "base/random.h"
#include "store/data_folder.h"
#include "store/store_test_util.h"

namespace aegis::app {
namespace {

using namespace store::testing;  // NOLINT: TempDir, MustOpen, kNow

struct AuditRun {
  int code = 0;
  std::string out;
  std::string err;
};

AuditRun RunAudit(std::vector<std::string_view> args, AuditIo* custom = nullptr) {
  AuditRun r;
  AuditIo io;
  io.out = [&r](std::string_view s) { r.out += s; };
  io.err = [&r](std::string_view s) { r.err += s; };
  io.sleep = [](std::chrono::milliseconds) {};
  io.stop_requested = [] { return false; };
  if (custom != nullptr) {
    io.sleep = custom->sleep;
    io.stop_requested = custom->stop_requested;
  }
  r.code = RunAuditCommand(args, "9.9.9", io);
  return r;
}

TEST(AuditCommandTest, FormatsUtcTime) {
  EXPECT_EQ(FormatUtc(kNow), "2023-11-14T22:13:20Z");
  EXPECT_EQ(FormatUtc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatUtc(INT64_MAX), "@9223372036854775807");
}

TEST(AuditCommandTest, EscapesEverythingThatCouldBreakALineOrATerminal) {
  EXPECT_EQ(EscapeForLine("room=standup identity=ada"), "room=standup identity=ada");
  EXPECT_EQ(EscapeForLine("a\nb\r\tc\\"), "a\\nb\\r\\tc\\\\");
  EXPECT_EQ(EscapeForLine(std::string("\x1b[31mred\x7f\0", 10)), "\\x1b[31mred\\x7f\\x00");
  EXPECT_EQ(EscapeForLine("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92"), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92");
  EXPECT_EQ(EscapeForLine("\xc2\x9b" "2J"), "\\u009b2J");                     // C1 CSI
  EXPECT_EQ(EscapeForLine("\xff\xc3"), "\\xff\\xc3");                          // invalid, truncated
  EXPECT_EQ(EscapeForLine("\xc0\xaf"), "\\xc0\\xaf");                          // overlong '/'
  EXPECT_EQ(EscapeForLine("\xed\xa0\x80"), "\\xed\\xa0\\x80");                 // surrogate
}

TEST(AuditCommandTest, VerifyPrintsCountAndHeadAndNamesTheBadRow) {
  TempDir tmp;
  const std::string path = tmp.Sub("data");
  {
    store::DataFolder data = MustOpen(path);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(data.AppendAudit(kNow + i, "cli", "token.create", "n").ok());
  }
  AuditRun r = RunAudit({"verify", "--data", path});
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(r.out.rfind("aegis audit verify: ok: 3 rows; head 3:", 0), 0u) << r.out;
  const std::string head = r.out.substr(r.out.find("head ") + 5, 2 + 64);
  EXPECT_EQ(RunAudit({"verify", "--expect-head", head, "--data", path}).out,
            "aegis audit verify: ok: 3 rows; head " + head + "; anchor 3 found at the head\n");

  {
    store::DataFolder data = MustOpen(path);
    ASSERT_TRUE(data.database()
                    .ExecScript("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'x' WHERE seq = 2")
                    .ok());
  }
  r = RunAudit({"verify", "--data", path});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind("aegis audit verify: row 2 (seq 2) was altered: ", 0), 0u) << r.err;
}

TEST(AuditCommandTest, TailPrintsOneLinePerEventAndFollows) {
  TempDir tmp;
  const std::string path = tmp.Sub("data");
  store::DataFolder data = MustOpen(path);
  ASSERT_TRUE(data.AppendAudit(kNow, "cli", "token.create", "room=a").ok());
  ASSERT_TRUE(data.AppendAudit(kNow + 1, "cli", "room.policy", "room a: e2ee required\n").ok());
  ASSERT_TRUE(data.AppendAudit(kNow + 2, "identity:ada", "room.join", "", "node-1").ok());

  AuditRun r = RunAudit({"tail", "--data", path, "-n", "2"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "2023-11-14T22:13:21Z #2 cli room.policy room a: e2ee required\\n\n"
            "2023-11-14T22:13:22Z #3@node-1 identity:ada room.join\n");

  // --follow: each poll reads what was appended since; stops when asked.
  int polls = 0;
  AuditIo io;
  io.sleep = [&](std::chrono::milliseconds ms) {
    EXPECT_EQ(ms, kAuditFollowInterval);
    ++polls;
    if (polls == 2) {
      ASSERT_TRUE(data.AppendAudit(kNow + 3, "cli", "token.create", "room=b").ok());
    }
  };
  io.stop_requested = [&] { return polls >= 3; };
  r = RunAudit({"tail", "-n", "1", "--follow", "--data", path}, &io);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "2023-11-14T22:13:22Z #3@node-1 identity:ada room.join\n"
            "2023-11-14T22:13:23Z #4 cli token.create room=b\n");
}

TEST(AuditCommandTest, HelpVersionUsageAndMissingFolder) {
  for (auto args : std::vector<std::vector<std::string_view>>{
           {"--help"}, {"help"}, {"-h"}, {"verify", "--help"}, {"tail", "--follow", "-h"}}) {
    AuditRun r = RunAudit(args);
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(r.out.rfind("usage: aegis audit", 0), 0u);
  }
  for (auto args : std::vector<std::vector<std::string_view>>{{"--version"}, {"verify", "--version"}, {"tail", "--version"}}) {
    AuditRun r = RunAudit(args);
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(r.out, "aegis 9.9.9\n");
  }
  for (auto args : std::vector<std::vector<std::string_view>>{{},
                                                              {"bogus"},
                                                              {"verify", "--follow"},
                                                              {"tail", "--expect-head", "x"},
                                                              {"verify", "--data"},
                                                              {"verify", "--data", "a", "--data", "b"},
                                                              {"tail", "-n", "0"},
                                                              {"tail", "-n", "100001"},
                                                              {"tail", "-n", "5x"},
                                                              {"verify", "--expect-head", "12"}}) {
    AuditRun r = RunAudit(args);
    EXPECT_EQ(r.code, 2) << (args.empty() ? "" : args[0]);
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find("usage: aegis audit"), std::string::npos);
  }
  TempDir tmp;
  const std::string missing = tmp.Sub("typo");
  for (const char* command : {"verify", "tail"}) {
    AuditRun r = RunAudit({command, "--data", missing});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("pass --data DIR"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(missing));
  }
}

}  // namespace
}  // namespace aegis::app
