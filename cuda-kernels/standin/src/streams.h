// Contexts, streams and events. A context is current per OS thread. Every stream has its own
// worker thread that runs the stream's tasks in order, each after a random small delay, so work
// really is asynchronous: a host read without a synchronisation sees poison or stale data. A
// fault in a task becomes the context's sticky error: later calls return it, as on a GPU.
#pragma once

#include <string>

namespace standin {

struct Context;
struct Stream;
struct Event;

Context* primary_context();
Context* current_context();
void set_current_context(Context* context);

// Waits for every stream of the current context, then checks guard zones and quarantine.
int synchronize_context();

Stream* create_stream();
int destroy_stream(Stream* stream);
int synchronize_stream(Stream* stream);
int query_stream(Stream* stream);

Event* create_event();
int destroy_event(Event* event);
int record_event(Event* event, Stream* stream);
int synchronize_event(Event* event);
int query_event(Event* event);
int stream_wait_event(Stream* stream, Event* event);

// A seed for the order in which a launch runs its threads (STANDIN_SEED fixes the sequence).
unsigned next_launch_seed();

const char* result_name(int result);

} // namespace standin
