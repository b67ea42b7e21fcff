#include "server/http_routes.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "auth/jwt.h"
#include "auth/test_token.h"

namespace aegis::server {
namespace {

constexpr int64_t kUnixNow = 1'700'000'000;

class ServeStaticTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "aegis-web-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    web_ = root_ / "web";
    std::filesystem::create_directories(web_ / "sdk");
    Write(web_ / "index.html", "<!doctype html><title>aegis</title>");
    Write(web_ / "app.js", "console.log('app');");
    Write(web_ / "sdk" / "aegis.js", "export const v = 1;");
    Write(web_ / "secret.txt", "not served");
    Write(root_ / "outside.html", "outside the web folder");
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  static void Write(const std::filesystem::path& p, const std::string& text) { std::ofstream(p) << text; }
  HttpReply Get(std::string_view target) { return ServeStatic(web_.string(), target); }

  std::filesystem::path root_, web_;
};

TEST_F(ServeStaticTest, ServesFilesOfTheWebFolder) {
  auto index = Get("/index.html");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(index.body, "<!doctype html><title>aegis</title>");
  auto root = Get("/");
  EXPECT_EQ(root.status, 200);
  EXPECT_EQ(root.body, index.body);
  auto sdk = Get("/sdk/aegis.js");
  EXPECT_EQ(sdk.status, 200);
  EXPECT_EQ(sdk.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(sdk.body, "export const v = 1;");
}

TEST_F(ServeStaticTest, StripsTheQueryString) {
  auto app = Get("/app.js?v=3&x=../../etc/passwd");
  EXPECT_EQ(app.status, 200);
  EXPECT_EQ(app.body, "console.log('app');");
  auto root = Get("/?room=standup&token=abc");
  EXPECT_EQ(root.status, 200);
  EXPECT_EQ(root.content_type, "text/html; charset=utf-8");
}

TEST_F(ServeStaticTest, RefusesTraversalAndUnknownFiles) {
  for (const char* target :
       {"/../outside.html", "/sdk/../../outside.html", "/sdk/../index.html", "/..%2foutside.html",
        "/%2e%2e/outside.html", "//outside.html", "/./index.html", "/.hidden.html", "/secret.txt", "/missing.html",
        "/sdk", "index.html", "", "/a/b/c.js", "/index.html\\..\\x.html", "/index.html#x"}) {
    auto reply = Get(target);
    EXPECT_EQ(reply.status, 404) << target;
    EXPECT_EQ(reply.body, "not found\n") << target;
    EXPECT_EQ(reply.body.find("outside"), std::string::npos) << target;
  }
}

TEST_F(ServeStaticTest, AFolderWithAFileNameIsNotServed) {
  std::filesystem::create_directory(web_ / "folder.js");
  EXPECT_EQ(Get("/folder.js").status, 404);
}

TEST_F(ServeStaticTest, NoWebFolderServesNothing) {
  EXPECT_EQ(ServeStatic("", "/index.html").status, 404);
  EXPECT_EQ(ServeStatic((root_ / "nope").string(), "/index.html").status, 404);
}

class MintDevTokenTest : public ::testing::Test {
 protected:
  HttpReply Mint(std::string_view content_type, std::string_view body) {
    return MintDevToken(content_type, body, secret_, rng_, kUnixNow);
  }
  auth::ApiSecret secret_ = std::move(
      auth::ApiSecret::FromBytes(auth::testing::SecretOf("http-routes-test-secret-0123456789abcdef"))).value();
  SeededRandom rng_{5};
};

TEST_F(MintDevTokenTest, RequiresTheJsonContentType) {
  for (const char* type : {"", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                           "application/jsonp", "APPLICATION/JSON "}) {
    auto reply = Mint(type, R"({"room":"standup","name":"Ada"})");
    EXPECT_EQ(reply.status, 415) << type;
    EXPECT_EQ(reply.body.find("token"), std::string::npos);
  }
}

TEST_F(MintDevTokenTest, ContentTypeParametersDoNotMatter) {
  for (const char* type : {"application/json; charset=utf-8", "application/json;charset=UTF-8"}) {
    EXPECT_EQ(Mint(type, R"({"room":"standup","name":"Ada"})").status, 200) << type;
  }
  EXPECT_EQ(Mint("application/jsonx; charset=utf-8", R"({"room":"standup"})").status, 415);
}

TEST_F(MintDevTokenTest, RefusesBadRooms) {
  for (const char* body : {R"({"room":"a b"})", R"({"room":""})", R"({"name":"Ada"})", R"({"room":5})",
                           R"({"room":"../etc"})", R"({"room":"<script>"})", R"(["standup"])", "not json", "",
                           R"({"room":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})"}) {
    auto reply = Mint("application/json", body);
    EXPECT_EQ(reply.status, 400) << body;
    EXPECT_EQ(reply.content_type, "text/plain; charset=utf-8");
  }
}

TEST_F(MintDevTokenTest, RefusesBadNames) {
  EXPECT_EQ(Mint("application/json", R"({"room":"standup","name":5})").status, 400);
  EXPECT_EQ(Mint("application/json", R"({"room":"standup","name":"bell\u0007"})").status, 400);
  EXPECT_EQ(Mint("application/json", R"({"room":"standup","name":")" + std::string(65, 'n') + "\"}").status, 400);
}

TEST_F(MintDevTokenTest, MintsATokenTheServerAccepts) {
  auto reply = Mint("application/json", R"({"room":"standup","name":"Ada Lovelace"})");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.content_type, "application/json");
  auto json = nlohmann::json::parse(reply.body);
  ASSERT_TRUE(json["token"].is_string());
  auto claims = auth::VerifyToken(json["token"].get<std::string>(), secret_, kUnixNow);
  ASSERT_TRUE(claims.ok());
  EXPECT_EQ(claims->room, "standup");
  EXPECT_EQ(claims->display_name, "Ada Lovelace");
  EXPECT_TRUE(claims->grants.publish);
  EXPECT_TRUE(claims->grants.subscribe);
  EXPECT_FALSE(claims->grants.room_admin);
  EXPECT_EQ(claims->identity.rfind("dev-", 0), 0u);
  EXPECT_EQ(json["identity"], claims->identity);
  EXPECT_EQ(json["room"], "standup");
  EXPECT_EQ(claims->expires_at, kUnixNow + 600);
  // Short-lived: refused once expired (with no leeway).
  auth::VerifyOptions strict;
  strict.leeway_s = 0;
  EXPECT_FALSE(auth::VerifyToken(json["token"].get<std::string>(), secret_, kUnixNow + 600, strict).ok());
  // Signed with this server's secret only.
  auto other = auth::ApiSecret::FromBytes(auth::testing::SecretOf("another-server-secret-0123456789abcdef"));
  EXPECT_FALSE(auth::VerifyToken(json["token"].get<std::string>(), *other, kUnixNow).ok());
}

TEST_F(MintDevTokenTest, EveryTokenIsAFreshIdentity) {
  auto a = nlohmann::json::parse(Mint("application/json", R"({"room":"r"})").body);
  auto b = nlohmann::json::parse(Mint("application/json", R"({"room":"r","name":""})").body);
  EXPECT_NE(a["identity"], b["identity"]);
  EXPECT_NE(a["token"], b["token"]);
  auto claims = auth::VerifyToken(b["token"].get<std::string>(), secret_, kUnixNow);
  ASSERT_TRUE(claims.ok());
  EXPECT_EQ(claims->display_name, std::nullopt);  // an empty name is no name
}

}  // namespace
}  // namespace aegis::server
