#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "periscope/trace/common.h"
#include "periscope/trace/span_context.h"

namespace periscope::trace {

enum class SpanKind { kInternal = 1, kServer = 2, kClient = 3, kProducer = 4, kConsumer = 5 };
enum class StatusCode { kUnset = 0, kOk = 1, kError = 2 };

struct SpanEvent {
  std::string name;
  Timestamp time;
  Attributes attributes;
};

struct SpanLink {
  SpanContext context;
  Attributes attributes;
};

// Per-span caps; what is over them is dropped and counted.
struct SpanLimits {
  size_t max_attributes = 128;
  size_t max_events = 128;
  size_t max_links = 128;
  size_t max_attribute_value_length = 0;  // 0: unlimited; longer strings are truncated
};

// A finished span as handed to processors and exporters. A plain value type.
struct SpanData {
  SpanContext context;
  SpanId parent_span_id;
  bool parent_is_remote = false;
  std::string name;
  SpanKind kind = SpanKind::kInternal;
  Timestamp start_time;
  Timestamp end_time;
  Attributes attributes;
  // Attributes shared with other spans (every call of one RPC method, say), kept by reference.
  // The span's attributes are these followed by `attributes`; a key in both takes its value from
  // `attributes`. AllAttributes() gives the merged list.
  std::shared_ptr<const Attributes> shared_attributes;
  std::vector<SpanEvent> events;
  std::vector<SpanLink> links;
  StatusCode status = StatusCode::kUnset;
  std::string status_message;
  uint32_t dropped_attributes = 0;
  uint32_t dropped_events = 0;
  uint32_t dropped_links = 0;
  std::shared_ptr<const Resource> resource;
  std::shared_ptr<const InstrumentationScope> scope;

  // shared_attributes (those not overridden) followed by attributes.
  Attributes AllAttributes() const;
  // The value of key, from attributes first, then shared_attributes; or null.
  const AttributeValue* FindAttribute(std::string_view key) const;
};

// Exchanges every field (no allocation): how a span hands its data to a batch queue slot and
// takes back the slot's old strings and vectors for reuse.
void swap(SpanData& a, SpanData& b) noexcept;

class Span;
class Tracer;

// What many spans have in common: a name, a kind and an attribute set (every call of one RPC
// method, say), built once by Tracer::MakeSpanShape. A span started from a shape copies none of
// it, and one that sets nothing of its own (attributes, events, links, an error description) is
// queued for export as a small fixed-size record instead of a whole SpanData. Immutable; shared
// by std::shared_ptr.
class SpanShape {
 public:
  const std::string& name() const { return name_; }
  SpanKind kind() const { return kind_; }
  // Exported as the spans' shared_attributes; never null.
  const std::shared_ptr<const Attributes>& attributes() const { return attributes_; }
  // Those of the tracer that made it.
  const std::shared_ptr<const InstrumentationScope>& scope() const { return scope_; }
  const std::shared_ptr<const Resource>& resource() const { return resource_; }
  // Whether `tracer` (or a copy of it) made this shape.
  bool MadeBy(const Tracer& tracer) const;

 private:
  friend class Tracer;
  std::string name_;
  SpanKind kind_ = SpanKind::kInternal;
  std::shared_ptr<const Attributes> attributes_;
  std::shared_ptr<const InstrumentationScope> scope_;
  std::shared_ptr<const Resource> resource_;
};

namespace internal {
struct TracerShared;
// What a span started from a shape holds besides its context while it has set nothing of its
// own. The shape is kept while a recycled span waits on a free list, so a span recycled for the
// same shape touches no reference count.
struct ShapedSpan {
  std::shared_ptr<const SpanShape> shape;
  SpanId parent_span_id;
  bool parent_is_remote = false;
  StatusCode status = StatusCode::kUnset;
  Timestamp start_time;
};
// A lock for data held briefly and almost never wanted by two threads at once (a span's fields):
// an atomic flag, yielding while another thread holds it. Meets Lockable.
class SpinLock {
 public:
  void lock() noexcept {
    while (flag_.test_and_set(std::memory_order_acquire)) WaitWhileHeld();
  }
  void unlock() noexcept { flag_.clear(std::memory_order_release); }

 private:
  void WaitWhileHeld() noexcept;
  std::atomic_flag flag_;
};
// Hands a span's data back to the SDK's per-thread free list.
struct SpanDataRecycler {
  void operator()(SpanData* data) const noexcept;
};
// The deleter of a recording span: keeps it, data and tracer included, on the SDK's per-thread
// free list of spans for the next span this thread starts.
struct SpanRecycler {
  void operator()(Span* span) const noexcept;
};
}  // namespace internal

// One operation in a trace. Created by Tracer::StartSpan and shared by std::shared_ptr; every
// method is thread-safe. Mutations after End() and on non-recording spans are ignored. A span
// that is never ended is never exported.
class Span {
  // Lets std::make_shared call the constructor while only the SDK can name the tag.
  struct PrivateTag {
    explicit PrivateTag() = default;
  };

 public:
  // A span that records nothing and only carries ctx (a remote parent, or a sampled-out span).
  static std::shared_ptr<Span> NonRecording(const SpanContext& ctx);

  Span(PrivateTag, SpanContext&& context, const std::shared_ptr<internal::TracerShared>& tracer);
  ~Span();
  Span(const Span&) = delete;
  Span& operator=(const Span&) = delete;

  const SpanContext& context() const { return context_; }
  bool IsRecording() const;

  void SetAttribute(std::string_view key, AttributeValue value);
  void SetAttributes(const Attributes& attributes);
  void AddEvent(std::string_view name, Attributes attributes = {}, Timestamp time = Clock::now());
  void AddLink(const SpanContext& context, Attributes attributes = {});
  // Adds an "exception" event with exception.type / exception.message and sets status ERROR.
  void RecordException(std::string_view type, std::string_view message);
  // An OK status is final; a description is only kept with kError.
  void SetStatus(StatusCode code, std::string_view description = {});
  void UpdateName(std::string_view name);
  // Ends the span and hands it to the processors; later calls do nothing.
  void End(Timestamp end_time = Clock::now());

 private:
  friend class Tracer;
  friend struct internal::SpanRecycler;

  // data_, filled from the shape first when the span has none yet (called under mu_).
  SpanData& Data();

  // Set once before the span is shared; a recycled span takes its next span's context then.
  SpanContext context_;
  // Null when not recording. Kept while the span waits on the free list, so a span recycled for
  // the same tracer touches no reference count.
  std::shared_ptr<internal::TracerShared> tracer_;
  mutable internal::SpinLock mu_;
  bool recording_;  // false once ended, or from the start when not recording
  // The span while it is started from a shape and has no data_.
  internal::ShapedSpan shaped_;
  // The span's data: null when not recording, and while a span started from a shape sets nothing
  // of its own. Recycled: its strings and vectors keep their capacity from span to span on a
  // thread.
  std::unique_ptr<SpanData, internal::SpanDataRecycler> data_;
};

// A span with exactly one owner: started by Tracer::StartUniqueSpan, never shared and never made
// current, for instrumentation that starts and ends a span itself and hands no one a reference
// (the RPC client's CLIENT span). Cheaper than a Span: no shared allocation, no lock, no
// reference count. Move-only; not thread-safe (one thread at a time). It holds no reference to
// its tracer: End() must run while the Tracer that started it, or a copy of it, is alive.
// Destroyed without End(), it is never exported.
class UniqueSpan {
 public:
  UniqueSpan() = default;  // records nothing; invalid context
  // The moved-from span records nothing.
  UniqueSpan(UniqueSpan&& other) noexcept
      : context_(std::move(other.context_)),
        tracer_(std::exchange(other.tracer_, nullptr)),
        shaped_(std::move(other.shaped_)),
        data_(std::move(other.data_)) {}
  UniqueSpan& operator=(UniqueSpan&& other) noexcept {
    if (this != &other) {
      context_ = std::move(other.context_);
      tracer_ = std::exchange(other.tracer_, nullptr);
      shaped_ = std::move(other.shaped_);
      data_ = std::move(other.data_);
    }
    return *this;
  }
  ~UniqueSpan() = default;

  const SpanContext& context() const { return context_; }
  bool IsRecording() const { return tracer_ != nullptr; }

  void SetAttribute(std::string_view key, AttributeValue value);
  // As Span::SetStatus.
  void SetStatus(StatusCode code, std::string_view description = {});
  // Hands the span to the processors; later calls do nothing.
  void End(Timestamp end_time = Clock::now());

 private:
  friend class Tracer;

  // data_, filled from the shape first when the span has none yet.
  SpanData& Data();

  SpanContext context_;
  const internal::TracerShared* tracer_ = nullptr;  // null when not recording
  // The span while it is started from a shape and has no data_.
  internal::ShapedSpan shaped_;
  // Null when not recording, and while a span started from a shape sets nothing of its own.
  std::unique_ptr<SpanData, internal::SpanDataRecycler> data_;
};

}  // namespace periscope::trace
