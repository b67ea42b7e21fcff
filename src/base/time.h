// Strong time types and the injected clock. Protocol engines never read a
// clock themselves: they are handed `Timestamp now` by their I/O shell, or a
// Clock reference, so tests can run them in simulated time.
#pragma once

#include <compare>
#include <cstdint>

namespace aegis {

class TimeDelta {
 public:
  constexpr TimeDelta() = default;
  static constexpr TimeDelta Micros(int64_t us) { return TimeDelta(us); }
  static constexpr TimeDelta Millis(int64_t ms) { return TimeDelta(ms * 1000); }
  static constexpr TimeDelta Seconds(int64_t s) { return TimeDelta(s * 1'000'000); }

  constexpr int64_t us() const { return us_; }
  constexpr int64_t ms() const { return us_ / 1000; }

  constexpr auto operator<=>(const TimeDelta&) const = default;
  constexpr TimeDelta operator+(TimeDelta o) const { return TimeDelta(us_ + o.us_); }
  constexpr TimeDelta operator-(TimeDelta o) const { return TimeDelta(us_ - o.us_); }
  constexpr TimeDelta operator*(int64_t k) const { return TimeDelta(us_ * k); }

 private:
  constexpr explicit TimeDelta(int64_t us) : us_(us) {}
  int64_t us_ = 0;
};

// A point on a monotonic clock, in microseconds from an arbitrary origin.
class Timestamp {
 public:
  constexpr Timestamp() = default;
  static constexpr Timestamp Micros(int64_t us) { return Timestamp(us); }
  static constexpr Timestamp Millis(int64_t ms) { return Timestamp(ms * 1000); }

  constexpr int64_t us() const { return us_; }
  constexpr int64_t ms() const { return us_ / 1000; }

  constexpr auto operator<=>(const Timestamp&) const = default;
  constexpr Timestamp operator+(TimeDelta d) const { return Timestamp(us_ + d.us()); }
  constexpr Timestamp operator-(TimeDelta d) const { return Timestamp(us_ - d.us()); }
  constexpr TimeDelta operator-(Timestamp o) const { return TimeDelta::Micros(us_ - o.us_); }
  Timestamp& operator+=(TimeDelta d) {
    us_ += d.us();
    return *this;
  }

 private:
  constexpr explicit Timestamp(int64_t us) : us_(us) {}
  int64_t us_ = 0;
};

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
};

// A clock that moves only when told: for tests, fuzzers and simulations.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(Timestamp start = Timestamp::Millis(1'000'000)) : now_(start) {}
  Timestamp Now() const override { return now_; }
  void Advance(TimeDelta d) { now_ += d; }

 private:
  Timestamp now_;
};

// The real monotonic clock; only I/O shells construct one.
class SystemClock final : public Clock {
 public:
  Timestamp Now() const override;
};

}  // namespace aegis
