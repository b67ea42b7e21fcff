#include "echo/http_responses.h"

#include <cctype>

namespace aegis::echo {

std::vector<std::pair<std::string, std::string>> SecurityHeaders() {
  return {
      {"Content-Security-Policy",
       "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"Permissions-Policy", "camera=(self), microphone=(self)"},
      {"Cache-Control", "no-store"},
  };
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
  return std::nullopt;
}

}  // namespace aegis::echo
