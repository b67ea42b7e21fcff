#include "http/http_policy.h"

#include <gtest/gtest.h>

namespace aegis::http {
namespace {

TEST(StaticFileType, ServesOnlyPlainNamesWithKnownTypes) {
  EXPECT_EQ(StaticFileType("/index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(StaticFileType("/js/app.mjs"), "text/javascript; charset=utf-8");
  EXPECT_FALSE(StaticFileType("/../etc/passwd").has_value());
  EXPECT_FALSE(StaticFileType("/a/../../x.js").has_value());
  EXPECT_FALSE(StaticFileType("/.hidden.js").has_value());
  EXPECT_FALSE(StaticFileType("/a/b/c.js").has_value());
  EXPECT_FALSE(StaticFileType("/x.sh").has_value());
  EXPECT_FALSE(StaticFileType("/x%2e%2e.js").has_value());
  EXPECT_FALSE(StaticFileType("index.html").has_value());
}

TEST(SecurityHeaders, ForbidInlineScriptFramingAndSniffing) {
  auto headers = SecurityHeaders();
  auto find = [&](const std::string& name) {
    for (const auto& [n, v] : headers) {
      if (n == name) return v;
    }
    return std::string();
  };
  auto csp = find("Content-Security-Policy");
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos);
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(find("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(find("Referrer-Policy"), "no-referrer");
  EXPECT_EQ(find("Permissions-Policy"), "camera=(self), microphone=(self)");
  EXPECT_EQ(find("Strict-Transport-Security"), "");
}

TEST(SecurityHeaders, HstsOnlyOverTls) {
  bool found = false;
  for (const auto& [name, value] : SecurityHeaders(/*tls=*/true)) {
    if (name == "Strict-Transport-Security") {
      found = true;
      EXPECT_EQ(value, "max-age=31536000");
    }
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace aegis::http
