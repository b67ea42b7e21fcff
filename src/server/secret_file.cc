#include "server/secret_file.h"

#include <fstream>
#include <iterator>

namespace aegis::server {

std::optional<std::string> LoadSecretLine(const std::string& path, std::string_view what, std::string& secret) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return "cannot read the " + std::string(what) + " file " + path;
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (text.ends_with("\n")) text.pop_back();
  if (text.ends_with("\r")) text.pop_back();
  bool printable = true;
  for (char c : text) printable = printable && c > ' ' && c < 0x7f;
  if (text.size() < 16 || text.size() > 512 || !printable) {
    return "the " + std::string(what) + " file " + path +
           " must hold one line of 16-512 printable characters without spaces";
  }
  secret = std::move(text);
  return std::nullopt;
}

}  // namespace aegis::server
