// HTTP policy shared by the programs that serve pages (aegis serve, aegis-echo),
// without Boost: the security headers every response carries, and which
// static files may be served.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aegis::http {

// Content-Security-Policy and friends (no inline script, no eval, no
// framing); with `tls`, Strict-Transport-Security too.
std::vector<std::pair<std::string, std::string>> SecurityHeaders(bool tls = false);

// The MIME type for a request path under the web folder, or nullopt if the
// path is not one we serve (anything but [A-Za-z0-9_-] names with a known
// extension, in at most one sub-folder: no "..", no hidden files).
std::optional<std::string> StaticFileType(std::string_view path);

}  // namespace aegis::http
