#include "load/prometheus_text.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <span>

#include "base/byte_reader.h"

namespace aegis::load {

namespace {

bool NameStart(uint8_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':'; }
bool NameChar(uint8_t c) { return NameStart(c) || (c >= '0' && c <= '9'); }

// Peeks without consuming: ByteReader fails on a read past the end.
int Peek(const ByteReader& r) { return r.empty() ? -1 : ByteReader(r).U8(); }

std::string ReadName(ByteReader& r) {
  std::string name;
  if (Peek(r) < 0 || !NameStart(static_cast<uint8_t>(Peek(r)))) return name;
  while (Peek(r) >= 0 && NameChar(static_cast<uint8_t>(Peek(r)))) name += static_cast<char>(r.U8());
  return name;
}

void SkipSpaces(ByteReader& r) {
  while (Peek(r) == ' ' || Peek(r) == '\t') r.U8();
}

// "..." with \\, \" and \n escapes; false if unterminated or a bad escape.
bool ReadQuoted(ByteReader& r, std::string& out) {
  if (r.U8() != '"') return false;
  while (r.ok() && !r.empty()) {
    const uint8_t c = r.U8();
    if (c == '"') return true;
    if (c != '\\') {
      out += static_cast<char>(c);
      continue;
    }
    const uint8_t e = r.U8();
    if (e == '\\' || e == '"') out += static_cast<char>(e);
    else if (e == 'n') out += '\n';
    else return false;
  }
  return false;
}

bool ReadLabels(ByteReader& r, PromSample& s, size_t max_labels) {
  r.U8();  // '{'
  for (;;) {
    SkipSpaces(r);
    if (Peek(r) == '}') return r.U8(), true;
    std::string key = ReadName(r);
    SkipSpaces(r);
    if (key.empty() || r.U8() != '=') return false;
    SkipSpaces(r);
    std::string value;
    if (!ReadQuoted(r, value) || s.labels.size() == max_labels) return false;
    s.labels.emplace_back(std::move(key), std::move(value));
    SkipSpaces(r);
    if (Peek(r) == ',') r.U8();
    else if (Peek(r) != '}') return false;
  }
}

bool ReadValue(ByteReader& r, double& value) {
  std::string token;
  while (Peek(r) >= 0 && Peek(r) != ' ' && Peek(r) != '\t') token += static_cast<char>(r.U8());
  std::string_view v = token;
  if (!v.empty() && v.front() == '+') v.remove_prefix(1);  // "+Inf"
  if (v.empty()) return false;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
  return ec == std::errc() && end == v.data() + v.size();
}

bool ParseLine(std::string_view line, PromSample& s, size_t max_labels) {
  ByteReader r(std::span(reinterpret_cast<const uint8_t*>(line.data()), line.size()));
  s.name = ReadName(r);
  if (s.name.empty()) return false;
  if (Peek(r) == '{' && !ReadLabels(r, s, max_labels)) return false;
  if (Peek(r) != ' ' && Peek(r) != '\t') return false;
  SkipSpaces(r);
  if (!ReadValue(r, s.value)) return false;
  SkipSpaces(r);
  if (!r.empty()) {  // an optional timestamp (ignored), then nothing
    double timestamp = 0;
    if (!ReadValue(r, timestamp)) return false;
    SkipSpaces(r);
  }
  return r.ok() && r.empty();
}

}  // namespace

std::string_view PromSample::Label(std::string_view key) const {
  for (const auto& [k, v] : labels) {
    if (k == key) return v;
  }
  return {};
}

PromText ParsePrometheusText(std::string_view text, const PromLimits& limits) {
  PromText out;
  if (text.size() > limits.max_text_bytes) {
    text = text.substr(0, limits.max_text_bytes);
    out.truncated = true;
  }
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty() || line.front() == '#') continue;
    if (out.samples.size() == limits.max_samples) {
      out.truncated = true;
      break;
    }
    PromSample s;
    if (line.size() > limits.max_line_bytes || !ParseLine(line, s, limits.max_labels)) {
      ++out.malformed;
      continue;
    }
    out.samples.push_back(std::move(s));
  }
  return out;
}

double ServerMetrics::Get(const std::string& name) const {
  auto it = totals.find(name);
  return it == totals.end() ? 0 : it->second;
}

ServerMetrics SumServerMetrics(const PromText& text) {
  ServerMetrics m;
  for (const PromSample& s : text.samples) {
    m.totals[s.name] += s.value;
    if (s.name == "aegis_dropped_total") m.dropped[std::string(s.Label("reason"))] += s.value;
    if (s.name == "aegis_forward_delay_seconds_bucket") {
      const std::string_view le = s.Label("le");
      double bound = std::numeric_limits<double>::infinity();
      if (le != "+Inf") {
        auto [end, ec] = std::from_chars(le.data(), le.data() + le.size(), bound);
        if (ec != std::errc() || end != le.data() + le.size()) continue;
      }
      m.forward_delay_buckets[bound] += s.value;
    }
  }
  return m;
}

std::optional<double> HistogramQuantile(const std::map<double, double>& cumulative, double q) {
  if (cumulative.empty()) return std::nullopt;
  const double total = cumulative.rbegin()->second;
  if (total <= 0) return std::nullopt;
  const double rank = q * total;
  double lower_bound = 0, lower_count = 0;
  for (const auto& [bound, count] : cumulative) {
    if (count >= rank) {
      if (std::isinf(bound)) return bound;
      const double in_bucket = count - lower_count;
      return in_bucket <= 0 ? bound : lower_bound + (bound - lower_bound) * (rank - lower_count) / in_bucket;
    }
    lower_bound = bound;
    lower_count = count;
  }
  return std::numeric_limits<double>::infinity();
}

}  // namespace aegis::load
