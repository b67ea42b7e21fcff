// Strong types for identifiers, so an SSRC cannot be passed where a sequence
// number is expected. Zero cost: a wrapped integer with comparisons.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>

namespace aegis {

template <typename Tag, typename T>
class StrongId {
 public:
  using ValueType = T;
  constexpr StrongId() = default;
  constexpr explicit StrongId(T v) : value_(v) {}
  constexpr T value() const { return value_; }
  constexpr auto operator<=>(const StrongId&) const = default;

 private:
  T value_{};
};

using Ssrc = StrongId<struct SsrcTag, uint32_t>;

}  // namespace aegis

template <typename Tag, typename T>
struct std::hash<aegis::StrongId<Tag, T>> {
  size_t operator()(const aegis::StrongId<Tag, T>& id) const noexcept { return std::hash<T>()(id.value()); }
};
