#include "streams.h"

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "memory.h"
#include "standin.h"

namespace standin {

struct Context {
    std::mutex lock;
    int sticky = SUCCESS;
    std::vector<Stream*> streams;
    Stream* legacy = nullptr;
};

struct Stream {
    Context* context;
    std::mutex lock;
    std::condition_variable changed;
    std::deque<std::pair<std::string, Task>> queue;
    bool busy = false;
    bool stopping = false;
    std::thread worker;
    std::mt19937 random;
};

struct Event {
    std::mutex lock;
    std::condition_variable changed;
    unsigned long long recorded = 0;  // how many times it was recorded
    unsigned long long completed = 0; // the last record that its stream reached
};

namespace {

thread_local Context* current = nullptr;

unsigned seed_from_environment() {
    const char* v = std::getenv("STANDIN_SEED");
    return v != nullptr ? static_cast<unsigned>(std::strtoul(v, nullptr, 10)) : std::random_device{}();
}

std::mutex seed_lock;
std::mt19937 seeds(seed_from_environment());

unsigned max_delay_us() {
    const char* v = std::getenv("STANDIN_MAX_DELAY_US");
    return v != nullptr ? static_cast<unsigned>(std::strtoul(v, nullptr, 10)) : 200;
}

const unsigned MAX_DELAY_US = max_delay_us();

void set_sticky(Context* c, int code, const std::string& message) {
    std::lock_guard<std::mutex> g(c->lock);
    if (c->sticky == SUCCESS) {
        c->sticky = code;
        report(message + " (" + result_name(code) + "; the context is unusable from now on)");
    }
}

int sticky(Context* c) {
    std::lock_guard<std::mutex> g(c->lock);
    return c->sticky;
}

void work(Stream* s) {
    std::unique_lock<std::mutex> l(s->lock);
    for (;;) {
        s->changed.wait(l, [s] { return s->stopping || !s->queue.empty(); });
        if (s->queue.empty()) {
            return;
        }
        auto [what, task] = std::move(s->queue.front());
        s->queue.pop_front();
        s->busy = true;
        unsigned delay = MAX_DELAY_US > 0 && s->random() % 4 == 0 ? s->random() % (MAX_DELAY_US + 1) : 0;
        l.unlock();
        if (delay > 0) {
            std::this_thread::sleep_for(std::chrono::microseconds(delay));
        }
        if (sticky(s->context) == SUCCESS) {
            try {
                task();
            } catch (const Fault& f) {
                set_sticky(s->context, f.code, what + ": " + f.message);
            }
        }
        l.lock();
        s->busy = false;
        s->changed.notify_all();
    }
}

Stream* new_stream(Context* c) {
    Stream* s = new Stream();
    s->context = c;
    {
        std::lock_guard<std::mutex> g(seed_lock);
        s->random.seed(seeds());
    }
    s->worker = std::thread(work, s);
    std::lock_guard<std::mutex> g(c->lock);
    c->streams.push_back(s);
    return s;
}

Stream* resolve(Stream* s) {
    if (s != nullptr) {
        return s;
    }
    Context* c = current;
    {
        std::lock_guard<std::mutex> g(c->lock);
        if (c->legacy != nullptr) {
            return c->legacy;
        }
    }
    Stream* legacy = new_stream(c);
    std::lock_guard<std::mutex> g(c->lock);
    if (c->legacy == nullptr) {
        c->legacy = legacy;
    }
    return c->legacy;
}

void drain(Stream* s) {
    std::unique_lock<std::mutex> l(s->lock);
    s->changed.wait(l, [s] { return s->queue.empty() && !s->busy; });
}

bool all_idle(Context* c);

// After a synchronisation: every guard zone is checked, and once no stream has work left the
// quarantined blocks are checked for late writes and freed. Returns the context's status.
int after_drain(Context* c) {
    try {
        check_all_guards();
        if (all_idle(c)) {
            release_quarantine();
        }
    } catch (const Fault& f) {
        set_sticky(c, f.code, f.message);
    }
    return sticky(c);
}

bool all_idle(Context* c) {
    std::vector<Stream*> streams;
    {
        std::lock_guard<std::mutex> g(c->lock);
        streams = c->streams;
    }
    for (Stream* s : streams) {
        std::lock_guard<std::mutex> g(s->lock);
        if (!s->queue.empty() || s->busy) {
            return false;
        }
    }
    return true;
}

} // namespace

Context* primary_context() {
    static Context primary;
    return &primary;
}

Context* current_context() {
    return current;
}

void set_current_context(Context* context) {
    current = context;
}

int context_status() {
    if (current == nullptr) {
        return INVALID_CONTEXT;
    }
    return sticky(current);
}

int enqueue(void* stream, const std::string& what, Task task) {
    int status = context_status();
    if (status != SUCCESS) {
        return status;
    }
    Stream* s = resolve(static_cast<Stream*>(stream));
    if (s->context != current) {
        report(what + ": the stream belongs to another context");
        return INVALID_HANDLE;
    }
    std::lock_guard<std::mutex> g(s->lock);
    s->queue.emplace_back(what, std::move(task));
    s->changed.notify_all();
    return SUCCESS;
}

int synchronize_context() {
    std::vector<Stream*> streams;
    {
        std::lock_guard<std::mutex> g(current->lock);
        streams = current->streams;
    }
    for (Stream* s : streams) {
        drain(s);
    }
    return after_drain(current);
}

Stream* create_stream() {
    return new_stream(current);
}

int destroy_stream(Stream* stream) {
    if (stream == nullptr) {
        return INVALID_HANDLE;
    }
    drain(stream);
    {
        std::lock_guard<std::mutex> g(stream->context->lock);
        auto& all = stream->context->streams;
        for (auto it = all.begin(); it != all.end(); ++it) {
            if (*it == stream) {
                all.erase(it);
                break;
            }
        }
    }
    {
        std::lock_guard<std::mutex> g(stream->lock);
        stream->stopping = true;
        stream->changed.notify_all();
    }
    stream->worker.join();
    delete stream;
    return SUCCESS;
}

int synchronize_stream(Stream* stream) {
    drain(resolve(stream));
    return after_drain(current);
}

int query_stream(Stream* stream) {
    Stream* s = resolve(stream);
    std::lock_guard<std::mutex> g(s->lock);
    return s->queue.empty() && !s->busy ? sticky(current) : NOT_READY;
}

Event* create_event() {
    return new Event();
}

int destroy_event(Event* event) {
    if (event == nullptr) {
        return INVALID_HANDLE;
    }
    // A GPU defers the destruction until the event completes; so does this.
    {
        std::unique_lock<std::mutex> l(event->lock);
        event->changed.wait(l, [event] { return event->completed == event->recorded; });
    }
    delete event;
    return SUCCESS;
}

int record_event(Event* event, Stream* stream) {
    if (event == nullptr) {
        return INVALID_HANDLE;
    }
    unsigned long long mark;
    {
        std::lock_guard<std::mutex> g(event->lock);
        mark = ++event->recorded;
    }
    return enqueue(stream, "cuEventRecord", [event, mark] {
        std::lock_guard<std::mutex> g(event->lock);
        if (mark > event->completed) {
            event->completed = mark;
        }
        event->changed.notify_all();
    });
}

int synchronize_event(Event* event) {
    if (event == nullptr) {
        return INVALID_HANDLE;
    }
    Context* c = current;
    std::unique_lock<std::mutex> l(event->lock);
    // A sticky error stops the stream's tasks, so waiting would never end.
    while (event->completed < event->recorded) {
        event->changed.wait_for(l, std::chrono::milliseconds(10));
        if (sticky(c) != SUCCESS) {
            break;
        }
    }
    l.unlock();
    return sticky(c);
}

int query_event(Event* event) {
    if (event == nullptr) {
        return INVALID_HANDLE;
    }
    std::lock_guard<std::mutex> g(event->lock);
    return event->completed == event->recorded ? sticky(current) : NOT_READY;
}

int stream_wait_event(Stream* stream, Event* event) {
    if (event == nullptr) {
        return INVALID_HANDLE;
    }
    unsigned long long mark;
    {
        std::lock_guard<std::mutex> g(event->lock);
        mark = event->recorded;
    }
    return enqueue(stream, "cuStreamWaitEvent", [event, mark] {
        std::unique_lock<std::mutex> l(event->lock);
        event->changed.wait(l, [event, mark] { return event->completed >= mark; });
    });
}

unsigned next_launch_seed() {
    std::lock_guard<std::mutex> g(seed_lock);
    return seeds();
}

void report(const std::string& line) {
    std::fprintf(stderr, "cuda stand-in: %s\n", line.c_str());
    std::fflush(stderr);
}

const char* result_name(int result) {
    switch (result) {
        case SUCCESS: return "CUDA_SUCCESS";
        case INVALID_VALUE: return "CUDA_ERROR_INVALID_VALUE";
        case OUT_OF_MEMORY: return "CUDA_ERROR_OUT_OF_MEMORY";
        case NOT_INITIALIZED: return "CUDA_ERROR_NOT_INITIALIZED";
        case NO_DEVICE: return "CUDA_ERROR_NO_DEVICE";
        case INVALID_DEVICE: return "CUDA_ERROR_INVALID_DEVICE";
        case INVALID_IMAGE: return "CUDA_ERROR_INVALID_IMAGE";
        case INVALID_CONTEXT: return "CUDA_ERROR_INVALID_CONTEXT";
        case INVALID_PTX: return "CUDA_ERROR_INVALID_PTX";
        case UNSUPPORTED_PTX_VERSION: return "CUDA_ERROR_UNSUPPORTED_PTX_VERSION";
        case INVALID_HANDLE: return "CUDA_ERROR_INVALID_HANDLE";
        case NOT_FOUND: return "CUDA_ERROR_NOT_FOUND";
        case NOT_READY: return "CUDA_ERROR_NOT_READY";
        case ILLEGAL_ADDRESS: return "CUDA_ERROR_ILLEGAL_ADDRESS";
        case LAUNCH_OUT_OF_RESOURCES: return "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES";
        case LAUNCH_FAILED: return "CUDA_ERROR_LAUNCH_FAILED";
        default: return "CUDA_ERROR_UNKNOWN";
    }
}

} // namespace standin
