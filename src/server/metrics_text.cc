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
  const char* kind = type == Type::kCounter ? " counter\n" : type == Type::kGauge ? " gauge\n" : " histogram\n";
  text_ += "# TYPE " + family_ + kind;
}

void MetricsText::Sample(uint64_t value, Labels labels) { SampleText(std::to_string(value), labels); }

namespace {

// Whole numbers (exact in a double below 2^53) as integers, the rest as
// the shortest text that reads back as the same double.
std::string NumberText(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (std::trunc(value) == value && std::fabs(value) < 9007199254740992.0) {
    return std::to_string(static_cast<int64_t>(value));
  }
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, ec == std::errc() ? static_cast<size_t>(end - buffer) : 0);
}

}  // namespace

void MetricsText::Sample(double value, Labels labels) { SampleText(NumberText(value), labels); }

void MetricsText::Histogram(std::span<const double> bounds, std::span<const uint64_t> cumulative, double sum,
                            uint64_t count, Labels labels) {
  for (size_t i = 0; i < bounds.size() && i < cumulative.size(); ++i) {
    SampleText(std::to_string(cumulative[i]), labels, "_bucket", {"le", NumberText(bounds[i])});
  }
  SampleText(std::to_string(count), labels, "_bucket", {"le", "+Inf"});
  SampleText(NumberText(sum), labels, "_sum");
  SampleText(std::to_string(count), labels, "_count");
}

void MetricsText::SampleText(std::string_view value, Labels labels, std::string_view suffix,
                             std::pair<std::string_view, std::string_view> extra_label) {
  if (family_.empty()) return;
  for (const auto& [name, v] : labels) {
    if (!IsValidLabelName(name)) return;
  }
  std::string line = family_;
  line.append(suffix);
  if (labels.size() > 0 || !extra_label.first.empty()) {
    line += '{';
    bool first = true;
    auto add = [&](std::string_view name, std::string_view v) {
      if (!first) line += ',';
      first = false;
      line.append(name);
      line += "=\"" + EscapeLabelValue(v) + "\"";
    };
    for (const auto& [name, v] : labels) add(name, v);
    if (!extra_label.first.empty()) add(extra_label.first, extra_label.second);
    line += '}';
  }
  line += ' ';
  line.append(value);
  line += '\n';
  text_ += line;
}

}  // namespace aegis::server
