// A secret the operator keeps in a file rather than on the command line
// (where `ps` shows it): the metrics token, the TURN shared secret.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace aegis::server {

// The secret in `path`: one line of 16-512 printable ASCII characters
// without spaces (a final newline is ignored). Returns an error message
// naming `what` and the fix, or nullopt with `secret` set.
std::optional<std::string> LoadSecretLine(const std::string& path, std::string_view what, std::string& secret);

}  // namespace aegis::server
