#include "http/static_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "http/http_policy.h"

namespace aegis::http {

HttpReply ServeStatic(const std::string& web_dir, std::string_view target) {
  target = target.substr(0, target.find('?'));  // the page reads its query string itself
  std::string path(target == "/" ? std::string_view("/index.html") : target);
  auto type = StaticFileType(path);
  if (web_dir.empty() || !type) return {};
  std::error_code ec;
  if (!std::filesystem::is_regular_file(web_dir + path, ec)) return {};  // a folder named x.js is not a file
  std::ifstream in(web_dir + path, std::ios::binary);
  if (!in) return {};
  std::ostringstream body;
  body << in.rdbuf();
  return {200, *type, body.str()};
}

}  // namespace aegis::http
