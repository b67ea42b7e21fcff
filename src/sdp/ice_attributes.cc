// ICE attributes (RFC 8839 §5):
//   a=ice-ufrag:<1*256 ice-char>        a=ice-pwd:<1*256 ice-char>
//   a=ice-options:<token> *(SP <token>)
//   a=candidate:<foundation> <component-id> <transport> <priority>
//       <connection-address> <port> typ <cand-type>
//       [raddr <connection-address>] [rport <port>] *(SP <ext-name> SP <ext-value>)
// The minimum lengths (4 and 22) are a policy check (webrtc_policy.cc), so a
// short credential parses and is then refused with its own error.
#include "sdp/attribute_parsers.h"
#include "sdp/text_util.h"

namespace aegis::sdp::internal {
namespace {

constexpr size_t kMaxIceCredential = 256;
constexpr size_t kMaxFoundation = 32;

AttrResult ParseIceCredential(std::string_view v, std::optional<std::string>& field) {
  if (field) return Err{ParseError::kDuplicateAttribute};
  if (v.size() > kMaxIceCredential || !text::IsIceChars(v)) return Err{ParseError::kBadIceCredential};
  field = std::string(v);
  return {};
}

// Reads one numeric candidate field.
template <typename T>
std::optional<ParseError> ReadNumber(std::optional<std::string_view> f, uint64_t min, uint64_t max, T& out) {
  if (!f) return ParseError::kBadCandidate;
  auto n = text::ParseUint(*f, min, max);
  if (!n) return n.error();
  out = static_cast<T>(*n);
  return std::nullopt;
}

std::optional<ParseError> ReadAddress(std::optional<std::string_view> f, std::string& out) {
  if (!f) return ParseError::kBadCandidate;
  if (f->size() > kMaxTokenLength) return ParseError::kValueTooLong;
  if (!text::IsVisible(*f)) return ParseError::kBadCandidate;
  out = std::string(*f);
  return std::nullopt;
}

std::optional<ParseError> ReadToken(std::optional<std::string_view> f, std::string& out) {
  if (!f) return ParseError::kBadCandidate;
  if (auto e = text::TokenError(*f)) return e;
  out = std::string(*f);
  return std::nullopt;
}

// raddr/rport/tcptype/generation and the extensions kept as-is.
std::optional<ParseError> ParseCandidateExtensions(text::FieldReader& r, Candidate& c) {
  while (auto name = r.Next()) {
    auto value = r.Next();
    if (!value) return ParseError::kBadCandidate;  // a name without its value
    if (*name == "raddr") {
      if (c.related_address) return ParseError::kBadCandidate;
      c.related_address.emplace();
      if (auto e = ReadAddress(value, *c.related_address)) return e;
    } else if (*name == "rport") {
      if (c.related_port) return ParseError::kBadCandidate;
      uint16_t port = 0;
      if (auto e = ReadNumber(value, 0, 65535, port)) return e;
      c.related_port = port;
    } else if (*name == "tcptype") {
      if (c.tcp_type) return ParseError::kBadCandidate;
      c.tcp_type.emplace();
      if (auto e = ReadToken(value, *c.tcp_type)) return e;
    } else if (*name == "generation") {
      if (c.generation) return ParseError::kBadCandidate;
      uint32_t g = 0;
      if (auto e = ReadNumber(value, 0, UINT32_MAX, g)) return e;
      c.generation = g;
    } else {
      CandidateExtension ext;
      if (auto e = ReadToken(name, ext.name)) return e;
      if (auto e = ReadAddress(value, ext.value)) return e;  // any visible text
      c.extensions.push_back(std::move(ext));
    }
  }
  return std::nullopt;
}

std::optional<ParseError> ParseCandidateFields(std::string_view v, Candidate& c) {
  text::FieldReader r(v);
  auto foundation = r.Next();
  if (!foundation || foundation->size() > kMaxFoundation || !text::IsIceChars(*foundation)) {
    return ParseError::kBadCandidate;
  }
  c.foundation = std::string(*foundation);
  if (auto e = ReadNumber(r.Next(), 1, 256, c.component)) return e;
  if (auto e = ReadToken(r.Next(), c.transport)) return e;
  if (auto e = ReadNumber(r.Next(), 0, UINT32_MAX, c.priority)) return e;
  if (auto e = ReadAddress(r.Next(), c.address)) return e;
  if (auto e = ReadNumber(r.Next(), 0, 65535, c.port)) return e;
  auto typ = r.Next();
  if (!typ || *typ != "typ") return ParseError::kBadCandidate;
  if (auto e = ReadToken(r.Next(), c.type)) return e;
  return ParseCandidateExtensions(r, c);
}

}  // namespace

AttrResult ParseIceUfrag(std::string_view v, CommonAttributes& c) { return ParseIceCredential(v, c.ice_ufrag); }
AttrResult ParseIcePwd(std::string_view v, CommonAttributes& c) { return ParseIceCredential(v, c.ice_pwd); }

AttrResult ParseIceOptions(std::string_view v, CommonAttributes& c) {
  // One line holds the whole list; a second line would have to be merged into
  // a line that could outgrow kMaxLineLength when written back.
  if (!c.ice_options.empty()) return Err{ParseError::kDuplicateAttribute};
  text::FieldReader r(v);
  bool any = false;
  while (auto option = r.Next()) {
    if (auto e = text::TokenError(*option)) return Err{*e};
    c.ice_options.emplace_back(*option);
    any = true;
  }
  if (!any) return Err{ParseError::kMissingValue};
  return {};
}

AttrResult ParseCandidate(std::string_view v, MediaSection& m) {
  if (m.candidates.size() >= kMaxCandidatesPerSection) return Err{ParseError::kTooManyCandidates};
  Candidate c;
  if (auto e = ParseCandidateFields(v, c)) return Err{*e};
  m.candidates.push_back(std::move(c));
  return {};
}

}  // namespace aegis::sdp::internal
