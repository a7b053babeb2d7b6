// Block execution. A kernel without barriers runs its threads one after another, each to the end.
// A kernel with barriers runs each thread as a fiber that gives control back at __syncthreads; the
// block moves on once every live thread has arrived, and a barrier that some threads skip (they
// exited while others wait) is reported, as CUDA leaves it undefined. Fibers switch by saving the
// callee-saved registers and the stack pointer (x86-64 System V): ucontext's swapcontext makes a
// system call per switch, which made reductions take seconds.

#include <algorithm>
#include <map>
#include <numeric>
#include <random>
#include <sys/mman.h>

#include "kernel_registry.h"
#include "standin.h"

thread_local uint3 threadIdx;
thread_local uint3 blockIdx;
thread_local dim3 blockDim;
thread_local dim3 gridDim;

// standin_fiber_switch(save, load): pushes the callee-saved registers, stores the stack pointer
// in *save, switches to the stack load and pops that fiber's registers, returning into it.
asm(R"(
    .text
    .p2align 4
    .type standin_fiber_switch, @function
standin_fiber_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size standin_fiber_switch, .-standin_fiber_switch
)");

extern "C" void standin_fiber_switch(void** save, void* load);

namespace standin {
namespace {

constexpr size_t FIBER_STACK = 128 << 10;

std::map<std::string, HostKernel>& registry() {
    static std::map<std::string, HostKernel> kernels;
    return kernels;
}

// The fibers of the block a worker thread is running, when its kernel has barriers.
struct Fibers {
    void* scheduler = nullptr;
    std::vector<void*> contexts; // each fiber's saved stack pointer
    std::vector<char> done;
    char* stacks = nullptr;
    size_t capacity = 0;
    int current = -1;
    const HostKernel* kernel = nullptr;
    void** params = nullptr;

    void reserve(size_t threads) {
        if (threads <= capacity) {
            return;
        }
        if (stacks != nullptr) {
            munmap(stacks, capacity * FIBER_STACK);
        }
        void* p = mmap(nullptr, threads * FIBER_STACK, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) {
            throw Fault{OUT_OF_MEMORY, "cannot map fiber stacks for " + std::to_string(threads) + " threads"};
        }
        stacks = static_cast<char*>(p);
        capacity = threads;
        contexts.resize(threads);
        done.resize(threads);
    }
};

thread_local Fibers* running_fibers = nullptr;
thread_local bool in_kernel = false;

// Where a new fiber starts: runs its thread of the kernel, then returns to the scheduler for good.
void fiber_main() {
    Fibers* f = running_fibers;
    f->kernel->invoke(f->params);
    f->done[f->current] = 1;
    void* finished;
    standin_fiber_switch(&finished, f->scheduler);
}

// A stack that standin_fiber_switch enters at fiber_main: six register slots, then fiber_main as
// the return address, then an empty slot, so that fiber_main starts with the stack alignment a
// call gives (rsp + 8 a multiple of 16).
void* new_fiber_stack(char* base, size_t size) {
    uintptr_t top = (reinterpret_cast<uintptr_t>(base) + size) & ~uintptr_t{15};
    void** sp = reinterpret_cast<void**>(top);
    *--sp = nullptr;
    *--sp = reinterpret_cast<void*>(&fiber_main);
    for (int r = 0; r < 6; r++) {
        *--sp = nullptr;
    }
    return sp;
}

uint3 thread_index(const dim3& block, unsigned t) {
    return uint3{t % block.x, t / block.x % block.y, t / (block.x * block.y)};
}

} // namespace

const char* kind_name(ParamKind kind) {
    switch (kind) {
        case ParamKind::POINTER: return "pointer";
        case ParamKind::INT64: return "64-bit integer";
        case ParamKind::INT32: return "32-bit integer";
        case ParamKind::FLOAT32: return "float";
        case ParamKind::FLOAT64: return "double";
    }
    return "?";
}

void register_kernel(HostKernel kernel) {
    std::string name = kernel.name;
    registry().emplace(name, std::move(kernel));
}

const HostKernel* find_kernel(const std::string& name) {
    auto it = registry().find(name);
    return it == registry().end() ? nullptr : &it->second;
}

void syncthreads() {
    Fibers* f = running_fibers;
    if (!in_kernel) {
        throw Fault{LAUNCH_FAILED, "__syncthreads called outside a kernel"};
    }
    if (f == nullptr) {
        // Unwinding through the kernel's frames is safe here: no fiber is involved.
        throw Fault{LAUNCH_FAILED, "kernel reached __syncthreads, but its PTX has no bar.sync"};
    }
    standin_fiber_switch(&f->contexts[f->current], f->scheduler);
}

void run_grid(const HostKernel& kernel, bool barriers, dim3 grid, dim3 block, void** params, unsigned seed) {
    static thread_local Fibers fibers;
    unsigned threads = block.x * block.y * block.z;
    std::vector<unsigned> order(threads);
    std::iota(order.begin(), order.end(), 0u);
    std::mt19937 random(seed);
    std::shuffle(order.begin(), order.end(), random);
    gridDim = grid;
    blockDim = block;
    in_kernel = true;
    struct Leave {
        ~Leave() {
            in_kernel = false;
            running_fibers = nullptr;
        }
    } leave;
    if (barriers) {
        fibers.reserve(threads);
        fibers.kernel = &kernel;
        fibers.params = params;
    }
    for (unsigned bz = 0; bz < grid.z; bz++) {
        for (unsigned by = 0; by < grid.y; by++) {
            for (unsigned bx = 0; bx < grid.x; bx++) {
                blockIdx = uint3{bx, by, bz};
                if (!barriers) {
                    for (unsigned t : order) {
                        threadIdx = thread_index(block, t);
                        kernel.invoke(params);
                    }
                    continue;
                }
                running_fibers = &fibers;
                for (unsigned t = 0; t < threads; t++) {
                    fibers.contexts[t] = new_fiber_stack(fibers.stacks + t * FIBER_STACK, FIBER_STACK);
                    fibers.done[t] = 0;
                }
                unsigned alive = threads;
                while (alive > 0) {
                    unsigned waiting = 0, exited = 0;
                    for (unsigned t : order) {
                        if (fibers.done[t]) {
                            continue;
                        }
                        fibers.current = static_cast<int>(t);
                        threadIdx = thread_index(block, t);
                        standin_fiber_switch(&fibers.scheduler, fibers.contexts[t]);
                        if (fibers.done[t]) {
                            exited++;
                        } else {
                            waiting++;
                        }
                    }
                    if (waiting > 0 && exited > 0) {
                        throw Fault{LAUNCH_FAILED, "kernel " + kernel.name + ": block (" + std::to_string(bx) + ","
                                                       + std::to_string(by) + "," + std::to_string(bz) + "): "
                                                       + std::to_string(waiting) + " threads wait at __syncthreads while "
                                                       + std::to_string(exited) + " exited"};
                    }
                    alive = waiting;
                }
                running_fibers = nullptr;
            }
        }
    }
}

} // namespace standin
