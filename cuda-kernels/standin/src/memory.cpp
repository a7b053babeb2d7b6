#include "memory.h"

#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <vector>

#include "standin.h"

namespace standin {
namespace {

enum class State { LIVE, FREED };

struct Block {
    size_t bytes;
    char* raw; // guard, then the block, then guard
    State state;
};

std::mutex lock;
std::map<uint64_t, Block> device_blocks; // by the address handed out
std::map<uint64_t, Block> pinned_blocks;
size_t in_use = 0;

size_t capacity_from_environment() {
    const char* v = std::getenv("STANDIN_DEVICE_MEMORY_MB");
    return (v != nullptr ? std::strtoull(v, nullptr, 10) : 8192) << 20;
}

const size_t capacity = capacity_from_environment();

char* allocate_guarded(size_t bytes) {
    size_t total = GUARD_BYTES + ((bytes + 255) & ~size_t{255}) + GUARD_BYTES;
    char* raw = static_cast<char*>(std::aligned_alloc(4096, (total + 4095) & ~size_t{4095}));
    if (raw == nullptr) {
        return nullptr;
    }
    std::memset(raw, GUARD_BYTE, GUARD_BYTES);
    std::memset(raw + GUARD_BYTES + bytes, GUARD_BYTE, total - GUARD_BYTES - bytes);
    fill32(raw + GUARD_BYTES, FRESH_POISON, bytes / 4);
    std::memset(raw + GUARD_BYTES + bytes / 4 * 4, GUARD_BYTE, bytes % 4);
    return raw;
}

// Where the guard zones of b differ from the guard pattern, or empty.
std::string broken_guard(const Block& b) {
    const char* before = b.raw;
    const char* after = b.raw + GUARD_BYTES + b.bytes;
    for (size_t i = 0; i < GUARD_BYTES; i++) {
        if (static_cast<unsigned char>(before[i]) != GUARD_BYTE) {
            return "byte " + std::to_string(GUARD_BYTES - i) + " before";
        }
        if (static_cast<unsigned char>(after[i]) != GUARD_BYTE) {
            return "byte " + std::to_string(i) + " past the end of";
        }
    }
    return "";
}

std::string describe_block(uint64_t address, const Block& b) {
    char s[64];
    std::snprintf(s, sizeof s, "0x%llx", static_cast<unsigned long long>(address));
    return std::string("device block ") + s + " of " + std::to_string(b.bytes) + " bytes";
}

const std::pair<const uint64_t, Block>* containing(const std::map<uint64_t, Block>& blocks, uint64_t p) {
    auto it = blocks.upper_bound(p);
    if (it == blocks.begin()) {
        return nullptr;
    }
    --it;
    return p < it->first + it->second.bytes ? &*it : nullptr;
}

} // namespace

void fill32(void* p, uint32_t bits, size_t count) {
    uint32_t* w = static_cast<uint32_t*>(p);
    for (size_t i = 0; i < count; i++) {
        w[i] = bits;
    }
}

uint64_t device_allocate(size_t bytes) {
    std::lock_guard<std::mutex> g(lock);
    if (in_use + bytes > capacity) {
        return 0;
    }
    char* raw = allocate_guarded(bytes);
    if (raw == nullptr) {
        return 0;
    }
    uint64_t address = reinterpret_cast<uint64_t>(raw + GUARD_BYTES);
    device_blocks[address] = Block{bytes, raw, State::LIVE};
    in_use += bytes;
    return address;
}

int device_free(uint64_t address, std::string* why) {
    std::lock_guard<std::mutex> g(lock);
    auto it = device_blocks.find(address);
    if (it == device_blocks.end() || it->second.state != State::LIVE) {
        *why = it == device_blocks.end() ? "is not the start of a device block" : "was already freed";
        return INVALID_VALUE;
    }
    Block& b = it->second;
    std::string broken = broken_guard(b);
    if (!broken.empty()) {
        *why = "its guard zone was overwritten (" + broken + " " + describe_block(address, b) + ")";
        return ILLEGAL_ADDRESS;
    }
    fill32(b.raw + GUARD_BYTES, FREED_POISON, b.bytes / 4);
    b.state = State::FREED;
    in_use -= b.bytes;
    return SUCCESS;
}

size_t device_bytes_in_use() {
    std::lock_guard<std::mutex> g(lock);
    return in_use;
}

size_t device_capacity() {
    return capacity;
}

void* pinned_allocate(size_t bytes) {
    std::lock_guard<std::mutex> g(lock);
    char* raw = allocate_guarded(bytes);
    if (raw == nullptr) {
        return nullptr;
    }
    pinned_blocks[reinterpret_cast<uint64_t>(raw + GUARD_BYTES)] = Block{bytes, raw, State::LIVE};
    return raw + GUARD_BYTES;
}

int pinned_free(void* p, std::string* why) {
    std::lock_guard<std::mutex> g(lock);
    auto it = pinned_blocks.find(reinterpret_cast<uint64_t>(p));
    if (it == pinned_blocks.end() || it->second.state != State::LIVE) {
        *why = "is not pinned memory from cuMemAllocHost";
        return INVALID_VALUE;
    }
    fill32(it->second.raw + GUARD_BYTES, FREED_POISON, it->second.bytes / 4);
    it->second.state = State::FREED;
    return SUCCESS;
}

bool is_pinned(const void* p, size_t bytes) {
    std::lock_guard<std::mutex> g(lock);
    auto* b = containing(pinned_blocks, reinterpret_cast<uint64_t>(p));
    return b != nullptr && b->second.state == State::LIVE
        && reinterpret_cast<uint64_t>(p) + bytes <= b->first + b->second.bytes;
}

void check_device(const void* p, size_t bytes, const std::string& what) {
    std::lock_guard<std::mutex> g(lock);
    uint64_t a = reinterpret_cast<uint64_t>(p);
    auto* b = containing(device_blocks, a);
    char s[32];
    std::snprintf(s, sizeof s, "0x%llx", static_cast<unsigned long long>(a));
    if (b == nullptr) {
        throw Fault{ILLEGAL_ADDRESS, what + ": address " + s + " is not device memory"};
    }
    if (b->second.state != State::LIVE) {
        throw Fault{ILLEGAL_ADDRESS, what + ": address " + s + " lies in " + describe_block(b->first, b->second)
                                         + " that was freed"};
    }
    if (a + bytes > b->first + b->second.bytes) {
        throw Fault{ILLEGAL_ADDRESS, what + ": " + std::to_string(bytes) + " bytes at " + s + " run "
                                         + std::to_string(a + bytes - b->first - b->second.bytes)
                                         + " bytes past the end of " + describe_block(b->first, b->second)};
    }
}

void check_guards_of(const void* p, const std::string& what) {
    std::lock_guard<std::mutex> g(lock);
    auto* b = containing(device_blocks, reinterpret_cast<uint64_t>(p));
    if (b == nullptr) {
        return;
    }
    std::string broken = broken_guard(b->second);
    if (!broken.empty()) {
        throw Fault{ILLEGAL_ADDRESS, what + " wrote " + broken + " " + describe_block(b->first, b->second)};
    }
}

void check_all_guards() {
    std::lock_guard<std::mutex> g(lock);
    for (auto* blocks : {&device_blocks, &pinned_blocks}) {
        for (auto& [address, b] : *blocks) {
            std::string broken = broken_guard(b);
            if (!broken.empty()) {
                throw Fault{ILLEGAL_ADDRESS, "a write reached " + broken + " "
                                                 + (blocks == &pinned_blocks ? "pinned host block" : "")
                                                 + describe_block(address, b)};
            }
        }
    }
}

void release_quarantine() {
    std::lock_guard<std::mutex> g(lock);
    std::string written;
    for (auto* blocks : {&device_blocks, &pinned_blocks}) {
        for (auto it = blocks->begin(); it != blocks->end();) {
            Block& b = it->second;
            if (b.state != State::FREED) {
                ++it;
                continue;
            }
            const uint32_t* w = reinterpret_cast<const uint32_t*>(b.raw + GUARD_BYTES);
            for (size_t i = 0; i < b.bytes / 4 && written.empty(); i++) {
                if (w[i] != FREED_POISON) {
                    written = describe_block(it->first, b) + " was written after it was freed (word "
                        + std::to_string(i) + ")";
                }
            }
            std::free(b.raw);
            it = blocks->erase(it);
        }
    }
    if (!written.empty()) {
        throw Fault{ILLEGAL_ADDRESS, written};
    }
}

} // namespace standin
