// Device and pinned host memory of the stand-in: every block sits between two guard zones,
// fresh memory holds one NaN pattern and freed memory another, and freed blocks stay mapped
// (quarantined) until the device is idle, so late readers see poison rather than someone else's data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace standin {

// Float bit patterns: each is a NaN, so arithmetic on poisoned memory shows in results.
constexpr uint32_t FRESH_POISON = 0x7fbadbad;
constexpr uint32_t FREED_POISON = 0x7fdeadde;
constexpr unsigned char GUARD_BYTE = 0xfe;
constexpr size_t GUARD_BYTES = 4096;

// Device memory: 0 when the device's memory limit would be passed.
uint64_t device_allocate(size_t bytes);
// INVALID_VALUE for an address that is not the start of a live block.
int device_free(uint64_t address, std::string* why);
size_t device_bytes_in_use();
size_t device_capacity();

void* pinned_allocate(size_t bytes);
int pinned_free(void* p, std::string* why);
bool is_pinned(const void* p, size_t bytes);

// Throws a Fault naming the first block whose guard zones were overwritten.
void check_all_guards();
// Frees quarantined blocks, first checking that nothing wrote to them after cuMemFree.
void release_quarantine();

void fill32(void* p, uint32_t bits, size_t count);

} // namespace standin
