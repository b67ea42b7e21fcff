#include "app/token_command.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "auth/jwt.h"
#include "store/data_folder.h"

namespace aegis::app {
namespace {

constexpr int64_t kNow = 1'700'000'000;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "aegis-token-XXXXXX").string();
    EXPECT_NE(::mkdtemp(tmpl.data()), nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

CommandOutput RunToken(std::vector<std::string_view> args, uint64_t seed = 1) {
  SeededRandom random(seed);
  return RunTokenCommand(args, random, kNow);
}

// Verifies `out` (one token and a newline) with the folder's stored key.
auth::Claims VerifyWithStoredKey(const std::string& folder, const std::string& out) {
  EXPECT_FALSE(out.empty());
  EXPECT_EQ(out.back(), '\n');
  const std::string token = out.substr(0, out.size() - 1);
  SeededRandom unused(99);
  auto data = store::DataFolder::Open(folder, unused, kNow);
  EXPECT_TRUE(data.ok());
  EXPECT_FALSE(data->created_api_key());
  auto key = data->CurrentApiKey();
  EXPECT_TRUE(key.ok());
  auto claims = auth::VerifyToken(token, key->secret.view(), kNow + 1);
  EXPECT_TRUE(claims.ok()) << (claims.ok() ? "" : std::string(auth::ToString(claims.error())));
  return claims.ok() ? *claims : auth::Claims{};
}

TEST(TokenCommandTest, ParsesTtl) {
  EXPECT_EQ(ParseTtlSeconds("90s"), 90);
  EXPECT_EQ(ParseTtlSeconds("10m"), 600);
  EXPECT_EQ(ParseTtlSeconds("2h"), 7200);
  EXPECT_EQ(ParseTtlSeconds("24h"), 86400);
  EXPECT_EQ(ParseTtlSeconds("1440m"), 86400);
  EXPECT_EQ(ParseTtlSeconds("86400s"), 86400);
  EXPECT_EQ(ParseTtlSeconds("010m"), 600);
  for (const char* bad : {"", "s", "10", "0s", "0m", "25h", "1441m", "86401s", "-5m", "+5m", "1.5h", "10M", " 10m",
                          "10m ", "1d", "10ms", "9999999h", "99999999999999999999h", "1e3s"}) {
    EXPECT_FALSE(ParseTtlSeconds(bad).has_value()) << bad;
  }
}

TEST(TokenCommandTest, CreateMintsATokenThatVerifiesWithTheStoredKey) {
  TempDir tmp;
  const std::string folder = tmp.Sub("data");
  auto r = RunToken({"create", "--room", "standup", "--identity", "ada@example.org", "--ttl", "10m", "--data", folder});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("created data folder"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1);
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '.'), 2);

  const auth::Claims claims = VerifyWithStoredKey(folder, r.out);
  EXPECT_EQ(claims.room, "standup");
  EXPECT_EQ(claims.identity, "ada@example.org");
  EXPECT_EQ(claims.grants, (auth::Grants{.publish = true, .subscribe = true, .room_admin = false}));
  EXPECT_EQ(claims.expires_at, kNow + 600);
  EXPECT_EQ(claims.not_before, kNow);
  EXPECT_EQ(claims.issued_at, kNow);
  ASSERT_TRUE(claims.token_id.has_value());
  EXPECT_EQ(claims.token_id->size(), 22u);
  EXPECT_FALSE(claims.display_name.has_value());

  // Expired after the TTL, as VerifyToken sees it (30 s default leeway).
  SeededRandom unused(5);
  auto data = store::DataFolder::Open(folder, unused, kNow);
  ASSERT_TRUE(data.ok());
  auto key = data->CurrentApiKey();
  const std::string token = r.out.substr(0, r.out.size() - 1);
  EXPECT_EQ(auth::VerifyToken(token, key->secret.view(), kNow + 600 + 30).error(), auth::TokenError::kExpired);
  // Another key refuses it.
  std::array<uint8_t, 32> other{};
  other[0] = 1;
  EXPECT_EQ(auth::VerifyToken(token, other, kNow).error(), auth::TokenError::kBadSignature);

  // Minting was audited, without the token itself.
  auto audit = data->ReadAudit(0, 10);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].action, "token.create");
  EXPECT_NE((*audit)[0].detail.find("room=standup"), std::string::npos);
  EXPECT_EQ((*audit)[0].detail.find(token), std::string::npos);
}

TEST(TokenCommandTest, GrantFlagsNameAndTtl) {
  TempDir tmp;
  const std::string folder = tmp.Sub("data");
  auto r = RunToken({"create", "--no-publish", "--room", "r_1-2", "--identity", "bob", "--no-subscribe", "--admin",
                "--name", "Bob <b>", "--ttl", "2h", "--data", folder});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auth::Claims claims = VerifyWithStoredKey(folder, r.out);
  EXPECT_EQ(claims.grants, (auth::Grants{.publish = false, .subscribe = false, .room_admin = true}));
  EXPECT_EQ(claims.display_name, "Bob <b>");
  EXPECT_EQ(claims.expires_at, kNow + 7200);

  // A second token from the same folder reuses the key, has a new jti, is quiet.
  auto again = RunToken({"create", "--room", "r_1-2", "--identity", "bob", "--data", folder}, 2);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.err, "");
  const auth::Claims second = VerifyWithStoredKey(folder, again.out);
  EXPECT_NE(second.token_id, claims.token_id);
  EXPECT_EQ(second.expires_at, kNow + kDefaultTokenTtlSeconds);
}

TEST(TokenCommandTest, BadArgumentsExitTwoAndCreateNothing) {
  TempDir tmp;
  const std::string folder = tmp.Sub("data");
  const std::vector<std::vector<std::string_view>> cases = {
      {"create", "--room", "a b", "--identity", "ada", "--data", folder},
      {"create", "--room", "x'); DROP TABLE api_keys;--", "--identity", "ada", "--data", folder},
      {"create", "--room", std::string_view("0123456789012345678901234567890123456789012345678901234567890123x"),
       "--identity", "ada", "--data", folder},
      {"create", "--room", "", "--identity", "ada", "--data", folder},
      {"create", "--room", "r", "--identity", "ada smith", "--data", folder},
      {"create", "--room", "r", "--identity", "ada", "--ttl", "25h", "--data", folder},
      {"create", "--room", "r", "--identity", "ada", "--ttl", "10", "--data", folder},
      {"create", "--room", "r", "--identity", "ada", "--ttl", "0s", "--data", folder},
      {"create", "--room", "r", "--identity", "ada", "--name", "", "--data", folder},
      {"create", "--room", "r", "--identity", "ada", "--name", "a\nb", "--data", folder},
      {"create", "--identity", "ada", "--data", folder},
      {"create", "--room", "r", "--data", folder},
      {"create", "--room", "r", "--identity", "ada", "--data", folder, "--room"},
      {"create", "--room", "r", "--room", "s", "--identity", "ada", "--data", folder},
      {"create", "--room", "r", "--identity", "ada", "--publish", "--data", folder},
      {"create", "--room", "r", "--identity", "ada", "--data", ""},
      {"mint", "--room", "r", "--identity", "ada", "--data", folder},
      {},
  };
  for (const auto& args : cases) {
    auto r = RunToken(args);
    std::string joined;
    for (auto a : args) joined += std::string(a) + " ";
    EXPECT_EQ(r.exit_code, 2) << joined;
    EXPECT_EQ(r.out, "") << joined;
    EXPECT_NE(r.err.find("usage: aegis token create"), std::string::npos) << joined;
  }
  EXPECT_FALSE(std::filesystem::exists(folder));

  auto room = RunToken({"create", "--room", "a b", "--identity", "ada", "--data", folder});
  EXPECT_NE(room.err.find("invalid room id 'a b'"), std::string::npos) << room.err;
  auto ttl = RunToken({"create", "--room", "r", "--identity", "ada", "--ttl", "3d", "--data", folder});
  EXPECT_NE(ttl.err.find("invalid --ttl '3d'"), std::string::npos) << ttl.err;

  auto help = RunToken({"help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--no-publish"), std::string::npos);
}

TEST(TokenCommandTest, InsecureDataFolderExitsOne) {
  TempDir tmp;
  const std::string folder = tmp.Sub("open");
  ASSERT_EQ(::mkdir(folder.c_str(), 0700), 0);
  ASSERT_EQ(::chmod(folder.c_str(), 0777), 0);
  auto r = RunToken({"create", "--room", "r", "--identity", "ada", "--data", folder});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("writable by group or others"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(folder + "/aegis.db"));
}

}  // namespace
}  // namespace aegis::app
