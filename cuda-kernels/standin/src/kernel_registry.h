// The kernels of cuda-kernels compiled for the host, by their extern "C" name, with the C types
// of their parameters, so a launch can be checked against the PTX's parameter list.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "emulation.h"

namespace standin {

enum class ParamKind { POINTER, INT64, INT32, FLOAT32, FLOAT64 };

const char* kind_name(ParamKind kind);

struct HostKernel {
    std::string name;
    std::vector<ParamKind> params;
    // Runs one thread of the kernel; params as cuLaunchKernel's kernelParams.
    std::function<void(void**)> invoke;
};

void register_kernel(HostKernel kernel);

// Null when no host kernel has that name.
const HostKernel* find_kernel(const std::string& name);

// Runs a whole grid on the calling thread: blocks in order, each block's threads in a shuffled
// order, as fibers that switch at __syncthreads when the kernel has barriers.
void run_grid(const HostKernel& kernel, bool barriers, dim3 grid, dim3 block, void** params, unsigned seed);

template <typename T>
constexpr ParamKind kind_of() {
    if constexpr (std::is_pointer_v<T>) {
        return ParamKind::POINTER;
    } else if constexpr (std::is_same_v<T, float>) {
        return ParamKind::FLOAT32;
    } else if constexpr (std::is_same_v<T, double>) {
        return ParamKind::FLOAT64;
    } else {
        static_assert(std::is_integral_v<T> && (sizeof(T) == 4 || sizeof(T) == 8), "unsupported kernel parameter");
        return sizeof(T) == 8 ? ParamKind::INT64 : ParamKind::INT32;
    }
}

template <typename... A, std::size_t... I>
void call_with(void (*f)(A...), void** params, std::index_sequence<I...>) {
    f(*static_cast<std::remove_cv_t<A>*>(params[I])...);
}

// Registers a kernel at load time: static Registration r("add", add);
struct Registration {
    template <typename... A>
    Registration(const char* name, void (*f)(A...)) {
        register_kernel(HostKernel{name, {kind_of<std::remove_cv_t<A>>()...},
                                   [f](void** params) { call_with(f, params, std::index_sequence_for<A...>{}); }});
    }
};

} // namespace standin
