// Result<T, E>: a value or a layer's error enum. The media path uses this
// instead of exceptions. C++20 has no std::expected.
#pragma once

#include <cassert>
#include <utility>
#include <variant>

namespace aegis {

template <typename E>
struct Err {
  E error;
};
template <typename E>
Err(E) -> Err<E>;

template <typename T, typename E>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(Err<E> e) : v_(std::in_place_index<1>, e.error) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && { return std::get<0>(std::move(v_)); }
  E error() const {
    assert(!ok());
    return std::get<1>(v_);
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  std::variant<T, E> v_;
};

// Result<void, E>: success or an error.
template <typename E>
class [[nodiscard]] Result<void, E> {
 public:
  Result() = default;
  Result(Err<E> e) : ok_(false), error_(e.error) {}

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  E error() const {
    assert(!ok_);
    return error_;
  }

 private:
  bool ok_ = true;
  E error_{};
};

}  // namespace aegis
