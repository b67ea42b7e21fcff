#include "http/http_policy.h"

#include <cctype>

namespace aegis::http {

std::vector<std::pair<std::string, std::string>> SecurityHeaders(bool tls) {
  std::vector<std::pair<std::string, std::string>> headers{
      {"Content-Security-Policy",
       "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"Permissions-Policy", "camera=(self), microphone=(self)"},
      {"Cache-Control", "no-store"},
  };
  // Only over TLS (RFC 6797 §7.2: a UA ignores it on plain HTTP anyway).
  if (tls) headers.emplace_back("Strict-Transport-Security", "max-age=31536000");
  return headers;
}

std::optional<std::string> StaticFileType(std::string_view path) {
  if (path.empty() || path.front() != '/') return std::nullopt;
  path.remove_prefix(1);
  int slashes = 0;
  for (char c : path) {
    if (c == '/') {
      ++slashes;
    } else if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') {
      return std::nullopt;
    }
  }
  if (slashes > 1 || path.find("..") != std::string_view::npos || path.find("/.") != std::string_view::npos ||
      path.starts_with(".")) {
    return std::nullopt;
  }
  auto dot = path.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  auto ext = path.substr(dot);
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml";
  return std::nullopt;
}

}  // namespace aegis::http
