#include "app/audit_command.h"

#include <signal.h>
#include <time.h>

#include <charconv>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <optional>
#include <vector>

#include "app/token_command.h"
#include "store/audit_chain.h"
#include "store/data_folder.h"

namespace aegis::app {
namespace {

constexpr const char* kAuditUsage =
    "usage: aegis audit verify [--data DIR] [--expect-head SEQ:HASH]\n"
    "       aegis audit tail [--data DIR] [-n N] [--follow]\n"
    "  verify              walk the audit log's hash chain: exit 0 printing the row count and\n"
    "                      the head SEQ:HASH (keep a copy where the server cannot write), or\n"
    "                      exit 1 naming the first row that was altered or removed\n"
    "  --expect-head H     also require a head printed by an earlier verify (SEQ:HASH, or\n"
    "                      the hash alone) to still be in the log: catches rows cut from the end\n"
    "  tail                print the newest events, one per line:\n"
    "                      TIME(UTC) #SEQ ACTOR ACTION DETAIL (control characters escaped)\n"
    "  -n N                how many (1-100000; default 20)\n"
    "  --follow            then print new events as they are appended, until Ctrl-C\n"
    "  --data DIR          data folder (default ./aegis-data), the one aegis serve uses\n"
    "  docs/audit.md: what is hashed, what verify proves, anchoring the head.\n";

constexpr int64_t kDefaultTailLines = 20;
constexpr int64_t kMaxTailLines = 100000;
constexpr size_t kFollowBatch = 1000;

int Usage(AuditIo& io, std::string_view message) {
  io.err("aegis audit: " + std::string(message) + "\n" + kAuditUsage);
  return 2;
}

struct Options {
  std::string command;
  std::string data_dir = kDefaultDataFolder;
  std::optional<store::AuditAnchor> anchor;
  int64_t lines = kDefaultTailLines;
  bool follow = false;
};

// nullopt and a message on bad usage.
std::optional<Options> Parse(std::span<const std::string_view> args, std::string& error) {
  Options o;
  o.command = std::string(args[0]);
  std::vector<std::string_view> seen;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string_view flag = args[i];
    for (std::string_view s : seen) {
      if (s == flag) {
        error = "option " + std::string(flag) + " given twice";
        return std::nullopt;
      }
    }
    seen.push_back(flag);
    if (flag == "--follow" && o.command == "tail") {
      o.follow = true;
      continue;
    }
    const bool takes_value = flag == "--data" || (flag == "--expect-head" && o.command == "verify") ||
                             (flag == "-n" && o.command == "tail");
    if (!takes_value) {
      error = "unknown option " + std::string(flag) + " for aegis audit " + o.command;
      return std::nullopt;
    }
    if (i + 1 >= args.size()) {
      error = std::string(flag) + " needs a value";
      return std::nullopt;
    }
    const std::string_view value = args[++i];
    if (flag == "--data") {
      if (value.empty()) {
        error = "--data needs a folder";
        return std::nullopt;
      }
      o.data_dir = std::string(value);
    } else if (flag == "--expect-head") {
      o.anchor = store::ParseAuditAnchor(value);
      if (!o.anchor) {
        error = "--expect-head takes SEQ:HASH as printed by aegis audit verify (or the 64 hex digits alone), not '" +
                std::string(value) + "'";
        return std::nullopt;
      }
    } else {
      int64_t n = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size() || n < 1 || n > kMaxTailLines) {
        error = "-n takes a count from 1 to " + std::to_string(kMaxTailLines) + ", not '" + std::string(value) + "'";
        return std::nullopt;
      }
      o.lines = n;
    }
  }
  return o;
}

// Opens an existing data folder; never creates one (a typo in --data must
// not leave a fresh, empty and "intact" log behind).
std::optional<store::DataFolder> OpenExisting(const std::string& dir, std::string_view command, AuditIo& io) {
  const std::string prefix = "aegis audit " + std::string(command) + ": ";
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::path(dir) / store::DataFolder::kDatabaseName, ec)) {
    io.err(prefix + "no audit log at " + dir + "/" + store::DataFolder::kDatabaseName +
           ": pass --data DIR, the data folder aegis serve uses (default ./aegis-data)\n");
    return std::nullopt;
  }
  auto data = store::DataFolder::Open(dir);
  if (!data) {
    io.err(prefix + data.error().message + "\n");
    return std::nullopt;
  }
  return std::move(*data);
}

std::string Rows(int64_t n) { return std::to_string(n) + (n == 1 ? " row" : " rows"); }

int Verify(const Options& o, AuditIo& io) {
  auto data = OpenExisting(o.data_dir, "verify", io);
  if (!data) return 1;
  auto v = data->VerifyAudit(o.anchor);
  if (!v) {
    io.err("aegis audit verify: cannot read the audit log: " + v.error().message + "\n");
    return 1;
  }
  if (!v->ok()) {
    io.err("aegis audit verify: " + v->message + "\n" +
           "  the log is not what aegis wrote: compare " + data->database_path() +
           " with a backup or an anchored head (docs/audit.md); until then, treat the rows from the one named "
           "here on as untrusted\n");
    return 1;
  }
  std::string line = "aegis audit verify: ok: " + Rows(v->rows) + "; head " +
                     store::FormatAuditAnchor(v->head_seq, v->head);
  if (v->anchor_seq) {
    const int64_t since = v->head_seq - *v->anchor_seq;
    line += "; anchor " + std::to_string(*v->anchor_seq) +
            (since == 0 ? " found at the head" : " found; " + Rows(since) + " appended since");
  }
  io.out(line + "\n");
  return 0;
}

std::string FormatLine(const store::AuditEntry& e) {
  std::string line = FormatUtc(e.time) + " #" + std::to_string(e.seq);
  if (!e.node.empty()) line += "@" + EscapeForLine(e.node);
  line += " " + EscapeForLine(e.actor) + " " + EscapeForLine(e.action);
  if (!e.detail.empty()) line += " " + EscapeForLine(e.detail);
  return line + "\n";
}

int Tail(const Options& o, AuditIo& io) {
  auto data = OpenExisting(o.data_dir, "tail", io);
  if (!data) return 1;
  auto latest = data->ReadLatestAudit(static_cast<size_t>(o.lines));
  if (!latest) {
    io.err("aegis audit tail: cannot read the audit log: " + latest.error().message + "\n");
    return 1;
  }
  std::string text;
  for (const auto& e : *latest) text += FormatLine(e);
  if (!text.empty()) io.out(text);
  if (!o.follow) return 0;

  int64_t last = latest->empty() ? 0 : latest->back().seq;
  while (!io.stop_requested()) {
    io.sleep(kAuditFollowInterval);
    if (io.stop_requested()) break;
    auto fresh = data->ReadAudit(last, kFollowBatch);
    if (!fresh) {
      io.err("aegis audit tail: cannot read the audit log: " + fresh.error().message + "\n");
      return 1;
    }
    if (fresh->empty()) continue;
    text.clear();
    for (const auto& e : *fresh) text += FormatLine(e);
    io.out(text);
    last = fresh->back().seq;
  }
  return 0;
}

volatile std::sig_atomic_t g_stop = 0;
extern "C" void OnStopSignal(int) { g_stop = 1; }

}  // namespace

std::string FormatUtc(int64_t unix_s) {
  const std::time_t t = static_cast<std::time_t>(unix_s);
  std::tm tm{};
  char buf[40];
  if (::gmtime_r(&t, &tm) == nullptr || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999 ||
      std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
    return "@" + std::to_string(unix_s);
  }
  return buf;
}

std::string EscapeForLine(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  const auto hex_escape = [&out](const char* prefix, unsigned value) {
    out += prefix;
    out += kHex[(value >> 4) & 0xF];
    out += kHex[value & 0xF];
  };
  const auto cont = [&text](size_t i) { return i < text.size() && (static_cast<uint8_t>(text[i]) & 0xC0) == 0x80; };
  for (size_t i = 0; i < text.size();) {
    const uint8_t b = static_cast<uint8_t>(text[i]);
    if (b < 0x80) {
      switch (b) {
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          if (b < 0x20 || b == 0x7F) {
            hex_escape("\\x", b);
          } else {
            out += static_cast<char>(b);
          }
      }
      ++i;
      continue;
    }
    // A well-formed UTF-8 sequence (no overlongs, surrogates or > U+10FFFF)?
    size_t len = 0;
    if (b >= 0xC2 && b <= 0xDF && cont(i + 1)) {
      len = 2;
    } else if (b >= 0xE0 && b <= 0xEF && cont(i + 1) && cont(i + 2)) {
      const uint8_t b1 = static_cast<uint8_t>(text[i + 1]);
      if (!(b == 0xE0 && b1 < 0xA0) && !(b == 0xED && b1 > 0x9F)) len = 3;
    } else if (b >= 0xF0 && b <= 0xF4 && cont(i + 1) && cont(i + 2) && cont(i + 3)) {
      const uint8_t b1 = static_cast<uint8_t>(text[i + 1]);
      if (!(b == 0xF0 && b1 < 0x90) && !(b == 0xF4 && b1 > 0x8F)) len = 4;
    }
    if (len == 0) {
      hex_escape("\\x", b);
      ++i;
      continue;
    }
    if (len == 2 && b == 0xC2 && static_cast<uint8_t>(text[i + 1]) <= 0x9F) {
      // C1 controls (U+0080-U+009F): CSI and friends for some terminals.
      hex_escape("\\u00", static_cast<uint8_t>(text[i + 1]));
    } else {
      out.append(text.substr(i, len));
    }
    i += len;
  }
  return out;
}

int RunAuditCommand(std::span<const std::string_view> args, std::string_view version, AuditIo& io) {
  if (args.empty()) return Usage(io, "say what to do: verify or tail");
  for (std::string_view a : args) {
    if (a == "--help" || a == "-h") {
      io.out(kAuditUsage);
      return 0;
    }
    if (a == "--version") {
      io.out("aegis " + std::string(version) + "\n");
      return 0;
    }
  }
  if (args[0] == "help") {
    io.out(kAuditUsage);
    return 0;
  }
  if (args[0] != "verify" && args[0] != "tail") {
    return Usage(io, "unknown subcommand '" + std::string(args[0]) + "' (verify or tail)");
  }
  std::string error;
  auto options = Parse(args, error);
  if (!options) return Usage(io, error);
  return options->command == "verify" ? Verify(*options, io) : Tail(*options, io);
}

int RunAuditMain(std::span<char*> args, const char* version) {
  std::vector<std::string_view> words(args.begin(), args.end());
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: the poll's sleep returns at once
  // Set even when the shell started us with SIGINT ignored (a background job).
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
  AuditIo io;
  io.out = [](std::string_view s) {
    std::fwrite(s.data(), 1, s.size(), stdout);
    std::fflush(stdout);
  };
  io.err = [](std::string_view s) { std::fwrite(s.data(), 1, s.size(), stderr); };
  io.stop_requested = [] { return g_stop != 0; };
  io.sleep = [](std::chrono::milliseconds ms) {
    const auto s = std::chrono::duration_cast<std::chrono::seconds>(ms);
    const timespec ts{static_cast<time_t>(s.count()), static_cast<long>((ms - s).count() * 1'000'000)};
    ::nanosleep(&ts, nullptr);  // once: EINTR (the stop signal) ends it early
  };
  return RunAuditCommand(words, version, io);
}

}  // namespace aegis::app
