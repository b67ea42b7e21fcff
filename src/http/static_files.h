// Serving the files of a web folder, for every program that serves pages
// (aegis serve, aegis-echo): only names http::StaticFileType accepts, only
// regular files, the query string ignored.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aegis::http {

struct HttpReply {
  int status = 404;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body = "not found\n";
  // Extra response headers (e.g. Location, WWW-Authenticate), in order.
  std::vector<std::pair<std::string, std::string>> headers = {};
};

// GET of a file under `web_dir` ("/" is /index.html).
HttpReply ServeStatic(const std::string& web_dir, std::string_view target);

}  // namespace aegis::http
