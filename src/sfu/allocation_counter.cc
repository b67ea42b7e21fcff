// Global operator new/delete replaced for sfu_test, counting allocations.
// In a file of its own so the compiler cannot inline free() into code that
// it sees allocate with new (GCC's -Wmismatched-new-delete).
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace aegis::sfu::testing {
namespace {
std::atomic<uint64_t> g_allocations{0};
}  // namespace
uint64_t AllocationCount() { return g_allocations.load(std::memory_order_relaxed); }
}  // namespace aegis::sfu::testing

void* operator new(std::size_t size) {
  aegis::sfu::testing::g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
// The nothrow forms too (std::stable_sort's temporary buffer uses them):
// otherwise ASan's would allocate what the free() below releases.
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  aegis::sfu::testing::g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept { return operator new(size, tag); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
