// Serving the files of a web folder, for every program that serves pages
// (aegis serve, aegis-echo): only names http::StaticFileType accepts, only
// regular files, the query string ignored.
#pragma once

#include <string>
#include <string_view>

namespace aegis::http {

struct HttpReply {
  int status = 404;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body = "not found\n";
};

// GET of a file under `web_dir` ("/" is /index.html).
HttpReply ServeStatic(const std::string& web_dir, std::string_view target);

}  // namespace aegis::http
