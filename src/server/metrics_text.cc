#include "server/metrics_text.h"

#include <charconv>
#include <cmath>

namespace aegis::server {
namespace {

bool NameChar(char c, bool first, bool colon) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return true;
  if (c == ':') return colon;
  return !first && c >= '0' && c <= '9';
}

bool ValidName(std::string_view name, bool colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!NameChar(name[i], i == 0, colon)) return false;
  }
  return true;
}

}  // namespace

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string EscapeHelp(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

bool IsValidMetricName(std::string_view name) { return ValidName(name, /*colon=*/true); }
// Names starting with "__" are reserved for Prometheus itself.
bool IsValidLabelName(std::string_view name) { return ValidName(name, false) && !name.starts_with("__"); }

void MetricsText::Family(std::string_view name, Type type, std::string_view help) {
  family_.clear();
  if (!IsValidMetricName(name)) return;
  family_ = name;
  text_ += "# HELP " + family_ + " " + EscapeHelp(help) + "\n";
  text_ += "# TYPE " + family_ + (type == Type::kCounter ? " counter\n" : " gauge\n");
}

void MetricsText::Sample(uint64_t value, Labels labels) { SampleText(std::to_string(value), labels); }

void MetricsText::Sample(double value, Labels labels) {
  if (std::isnan(value)) return SampleText("NaN", labels);
  if (std::isinf(value)) return SampleText(value > 0 ? "+Inf" : "-Inf", labels);
  // Whole numbers (exact in a double below 2^53) as integers, the rest as
  // the shortest text that reads back as the same double.
  if (std::trunc(value) == value && std::fabs(value) < 9007199254740992.0) {
    const auto whole = static_cast<int64_t>(value);
    return SampleText(std::to_string(whole), labels);
  }
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  SampleText(std::string_view(buffer, ec == std::errc() ? static_cast<size_t>(end - buffer) : 0), labels);
}

void MetricsText::SampleText(std::string_view value, Labels labels) {
  if (family_.empty()) return;
  for (const auto& [name, v] : labels) {
    if (!IsValidLabelName(name)) return;
  }
  std::string line = family_;
  if (labels.size() > 0) {
    line += '{';
    bool first = true;
    for (const auto& [name, v] : labels) {
      if (!first) line += ',';
      first = false;
      line.append(name);
      line += "=\"" + EscapeLabelValue(v) + "\"";
    }
    line += '}';
  }
  line += ' ';
  line.append(value);
  line += '\n';
  text_ += line;
}

}  // namespace aegis::server
