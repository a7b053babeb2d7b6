// What the stand-in's three libraries share: the driver (libcuda.so.1) owns contexts, streams and
// device memory; the cuBLAS and cuDNN stand-ins queue their work on its streams and check their
// operands against its allocations. Exported from libcuda.so.1 under the namespace standin.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#define STANDIN_API __attribute__((visibility("default")))

namespace standin {

// The CUresult codes the stand-in returns (values as in NVIDIA's cuda.h).
enum Result : int {
    SUCCESS = 0,
    INVALID_VALUE = 1,
    OUT_OF_MEMORY = 2,
    NOT_INITIALIZED = 3,
    NO_DEVICE = 100,
    INVALID_DEVICE = 101,
    INVALID_IMAGE = 200,
    INVALID_CONTEXT = 201,
    INVALID_PTX = 218,
    UNSUPPORTED_PTX_VERSION = 222,
    INVALID_HANDLE = 400,
    NOT_FOUND = 500,
    NOT_READY = 600,
    ILLEGAL_ADDRESS = 700,
    LAUNCH_OUT_OF_RESOURCES = 701,
    LAUNCH_FAILED = 719,
};

// Thrown by checks; outside a stream it becomes the call's return code, inside a stream's task
// it becomes the context's sticky error, as a fault on a GPU does.
struct Fault {
    int code;
    std::string message;
};

using Task = std::function<void()>;

// SUCCESS when the calling thread has a current context without a sticky error; otherwise
// INVALID_CONTEXT or the sticky error.
STANDIN_API int context_status();

// Queues task on stream (null: the legacy default stream) of the current context. Tasks of one
// stream run in order on its worker thread, later and after a random small delay.
STANDIN_API int enqueue(void* stream, const std::string& what, Task task);

// Throws a Fault (ILLEGAL_ADDRESS) unless [p, p + bytes) lies in one live device allocation.
STANDIN_API void check_device(const void* p, size_t bytes, const std::string& what);

// Throws unless every allocation that [p, p + bytes) touches still has intact guard zones.
STANDIN_API void check_guards_of(const void* p, const std::string& what);

// Prints one line to stderr, prefixed "cuda stand-in: ".
STANDIN_API void report(const std::string& line);

} // namespace standin
