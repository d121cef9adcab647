#include "periscope/trace/span.h"

#include <algorithm>
#include <thread>
#include <vector>

#include "sdk/batch_span_processor_impl.h"
#include "sdk/equal_text.h"
#include "sdk/span_pool.h"
#include "sdk/span_record.h"
#include "sdk/tracer_shared.h"

namespace periscope::trace {
namespace {

void Truncate(AttributeValue& value, size_t max_len) {
  if (max_len == 0) return;
  if (const std::string* s = value.get_if<std::string>(); s && s->size() > max_len) {
    value = AttributeValue(s->substr(0, max_len));
  }
}

// Hands data to several processors: a copy to each but the last, which takes it.
[[gnu::noinline]] void EndToEach(const std::vector<std::shared_ptr<SpanProcessor>>& processors,
                                 SpanData& data) {
  const size_t last = processors.size() - 1;
  for (size_t i = 0; i < last; ++i) processors[i]->OnEnd(SpanData(data));
  processors[last]->OnEnd(std::move(data));
}

// Whether a span's status `current` takes `code`: an OK status is final, and an unset one
// changes nothing.
bool StatusChanges(StatusCode current, StatusCode code) {
  return current != StatusCode::kOk && code != StatusCode::kUnset;
}

void SetSpanStatus(SpanData& data, StatusCode code, std::string_view description) {
  if (!StatusChanges(data.status, code)) return;
  data.status = code;
  if (code == StatusCode::kError) {
    data.status_message.assign(description);
  } else {
    data.status_message.clear();
  }
}

// Sets the end time and hands an ended span's data to the provider's processors (when sampled
// and the provider still runs).
void EndSpanData(const internal::ProviderState& provider, SpanData& data, Timestamp end_time) {
  data.end_time = std::max(end_time, data.start_time);
  const std::vector<std::shared_ptr<SpanProcessor>>& processors = provider.processors;
  if (processors.empty() || !data.context.sampled() ||
      provider.shut_down.load(std::memory_order_acquire)) {
    return;
  }
  if (processors.size() == 1) [[likely]] {
    processors.front()->OnEnd(std::move(data));
  } else {
    EndToEach(processors, data);
  }
}

// A status change on a span started from a shape that has no data: only a code, no description.
void SetShapedStatus(internal::ShapedSpan& span, StatusCode code) {
  if (StatusChanges(span.status, code)) span.status = code;
}

// Whether a status change fits a span started from a shape without data: any but an error with a
// description.
bool StatusFitsShape(StatusCode code, std::string_view description) {
  return code != StatusCode::kError || description.empty();
}

// Overwrites the fields of recycled span data (its strings keep their capacity) that every span
// of `shape` with nothing of its own has alike: all but its ids, flags, parent, times and status.
void FillShapeFields(SpanData& data, const SpanShape& shape) {
  data.context.is_remote = false;
  if (!data.context.trace_state.empty()) data.context.trace_state = TraceState();
  if (!internal::EqualText(data.name, shape.name())) data.name.assign(shape.name());
  data.kind = shape.kind();
  if (!data.attributes.empty()) data.attributes.clear();
  if (data.shared_attributes != shape.attributes()) data.shared_attributes = shape.attributes();
  if (!data.events.empty()) data.events.clear();
  if (!data.links.empty()) data.links.clear();
  data.status_message.clear();
  data.dropped_attributes = 0;
  data.dropped_events = 0;
  data.dropped_links = 0;
  if (data.resource != shape.resource()) data.resource = shape.resource();
  if (data.scope != shape.scope()) data.scope = shape.scope();
}

// The data of a span started from a shape, for a span that sets something of its own.
[[gnu::noinline]] SpanData* ShapedSpanData(const SpanContext& context,
                                           const internal::ShapedSpan& span) {
  SpanData* data = internal::TakeSpanData();
  FillShapeFields(*data, *span.shape);
  data->context.trace_id = context.trace_id;
  data->context.span_id = context.span_id;
  data->context.flags = context.flags;
  data->parent_span_id = span.parent_span_id;
  data->parent_is_remote = span.parent_is_remote;
  data->start_time = span.start_time;
  data->end_time = Timestamp();
  data->status = span.status;
  return data;
}

// Ends a span started from a shape that set nothing of its own: a record in the batch processor's
// queue, or SpanData for any other processors.
[[gnu::always_inline]] inline void EndShaped(const internal::ProviderState& provider,
                                             const SpanContext& context,
                                             const internal::ShapedSpan& span, Timestamp end_time) {
  if (!context.sampled() || provider.shut_down.load(std::memory_order_acquire)) return;
  if (provider.record_queue != nullptr) [[likely]] {
    internal::PushShapedSpan(*provider.record_queue, context, span,
                             std::max(end_time, span.start_time));
    return;
  }
  if (provider.processors.empty()) return;
  std::unique_ptr<SpanData, internal::SpanDataRecycler> data(ShapedSpanData(context, span));
  EndSpanData(provider, *data, end_time);
}

}  // namespace

namespace internal {

void ExpandCompact(const SpanRecord& record, SpanRecord& last, SpanData& data) {
  // The shape's fields stay as the last fill left them while the slot holds the same shape.
  if (last.shape != record.shape) [[unlikely]] {
    FillShapeFields(data, *record.shape);
    last.shape = record.shape;
  }
  data.context.trace_id = record.trace_id;
  data.context.span_id = record.span_id;
  data.context.flags = record.flags;
  data.parent_span_id = record.parent_span_id;
  data.parent_is_remote = record.parent_is_remote;
  data.start_time = record.start_time;
  data.end_time = record.end_time;
  data.status = record.status;
}

void AddSpanAttribute(SpanData& data, const SpanLimits& limits, std::string_view key,
                      AttributeValue value) {
  Truncate(value, limits.max_attribute_value_length);
  if (data.attributes.size() >= limits.max_attributes && !FindAttribute(data.attributes, key)) {
    data.dropped_attributes++;
    return;
  }
  trace::SetAttribute(data.attributes, key, std::move(value));
}

void SpinLock::WaitWhileHeld() noexcept {
  while (flag_.test(std::memory_order_relaxed)) std::this_thread::yield();
}

void SpanDataRecycler::operator()(SpanData* data) const noexcept { GiveSpanData(data); }

void SpanRecycler::operator()(Span* span) const noexcept {
  // A span of a provider that shut down is not kept: its reference would keep the provider's
  // processors alive.
  if ((span->tracer_ != nullptr &&
       span->tracer_->provider->shut_down.load(std::memory_order_relaxed)) ||
      (span->data_ != nullptr && !ReusableSpanData(*span->data_)) || !KeepSpan(span)) {
    delete span;
  }
}

}  // namespace internal

void swap(SpanData& a, SpanData& b) noexcept {
  using std::swap;
  swap(a.context, b.context);
  swap(a.parent_span_id, b.parent_span_id);
  swap(a.parent_is_remote, b.parent_is_remote);
  a.name.swap(b.name);
  swap(a.kind, b.kind);
  swap(a.start_time, b.start_time);
  swap(a.end_time, b.end_time);
  a.attributes.swap(b.attributes);
  a.shared_attributes.swap(b.shared_attributes);
  a.events.swap(b.events);
  a.links.swap(b.links);
  swap(a.status, b.status);
  a.status_message.swap(b.status_message);
  swap(a.dropped_attributes, b.dropped_attributes);
  swap(a.dropped_events, b.dropped_events);
  swap(a.dropped_links, b.dropped_links);
  a.resource.swap(b.resource);
  a.scope.swap(b.scope);
}

Attributes SpanData::AllAttributes() const {
  Attributes all;
  all.reserve(attributes.size() + (shared_attributes ? shared_attributes->size() : 0));
  if (shared_attributes) {
    for (const KeyValue& kv : *shared_attributes) {
      if (!trace::FindAttribute(attributes, kv.first)) all.push_back(kv);
    }
  }
  all.insert(all.end(), attributes.begin(), attributes.end());
  return all;
}

const AttributeValue* SpanData::FindAttribute(std::string_view key) const {
  if (const AttributeValue* v = trace::FindAttribute(attributes, key)) return v;
  return shared_attributes ? trace::FindAttribute(*shared_attributes, key) : nullptr;
}

Span::Span(PrivateTag, SpanContext&& context, const std::shared_ptr<internal::TracerShared>& tracer)
    : context_(std::move(context)),
      tracer_(tracer),
      recording_(tracer_ != nullptr),
      data_(recording_ ? internal::TakeSpanData() : nullptr) {}

Span::~Span() = default;

SpanData& Span::Data() {
  if (data_ == nullptr) [[unlikely]]
    data_.reset(ShapedSpanData(context_, shaped_));
  return *data_;
}

// From this thread's free list when it has a span (a server without a tracer makes one per traced
// call it takes), recycled like the spans of a tracer.
std::shared_ptr<Span> Span::NonRecording(const SpanContext& ctx) {
  Span* span = internal::TakeSpan();
  if (span == nullptr) {
    span = new Span(PrivateTag(), SpanContext(ctx), nullptr);
  } else {
    span->context_ = ctx;
    span->tracer_.reset();
    span->data_.reset();
    span->recording_ = false;
  }
  return std::shared_ptr<Span>(span, internal::SpanRecycler(),
                               internal::SpanBlockAllocator<Span>());
}

bool Span::IsRecording() const {
  std::lock_guard<internal::SpinLock> lock(mu_);
  return recording_;
}

void Span::SetAttribute(std::string_view key, AttributeValue value) {
  std::lock_guard<internal::SpinLock> lock(mu_);
  if (!recording_) return;
  internal::AddSpanAttribute(Data(), tracer_->provider->limits, key, std::move(value));
}

void Span::SetAttributes(const Attributes& attributes) {
  for (const auto& [k, v] : attributes) SetAttribute(k, v);
}

void Span::AddEvent(std::string_view name, Attributes attributes, Timestamp time) {
  std::lock_guard<internal::SpinLock> lock(mu_);
  if (!recording_) return;
  SpanData& data = Data();
  if (data.events.size() >= tracer_->provider->limits.max_events) {
    data.dropped_events++;
    return;
  }
  data.events.push_back({std::string(name), time, std::move(attributes)});
}

void Span::AddLink(const SpanContext& context, Attributes attributes) {
  std::lock_guard<internal::SpinLock> lock(mu_);
  if (!recording_ || !context.IsValid()) return;
  SpanData& data = Data();
  if (data.links.size() >= tracer_->provider->limits.max_links) {
    data.dropped_links++;
    return;
  }
  data.links.push_back({context, std::move(attributes)});
}

void Span::RecordException(std::string_view type, std::string_view message) {
  AddEvent("exception", {{"exception.type", type}, {"exception.message", message}});
  SetStatus(StatusCode::kError, message);
}

void Span::SetStatus(StatusCode code, std::string_view description) {
  std::lock_guard<internal::SpinLock> lock(mu_);
  if (!recording_) return;
  if (data_ == nullptr && StatusFitsShape(code, description)) {
    SetShapedStatus(shaped_, code);
  } else {
    SetSpanStatus(Data(), code, description);
  }
}

void Span::UpdateName(std::string_view name) {
  std::lock_guard<internal::SpinLock> lock(mu_);
  if (recording_) Data().name.assign(name);
}

void Span::End(Timestamp end_time) {
  {
    std::lock_guard<internal::SpinLock> lock(mu_);
    if (!recording_) return;
    recording_ = false;
  }
  // No other method touches data_ or shaped_ once recording_ is false.
  if (data_ != nullptr) {
    EndSpanData(*tracer_->provider, *data_, end_time);
  } else {
    EndShaped(*tracer_->provider, context_, shaped_, end_time);
  }
}

SpanData& UniqueSpan::Data() {
  if (data_ == nullptr) [[unlikely]]
    data_.reset(ShapedSpanData(context_, shaped_));
  return *data_;
}

void UniqueSpan::SetAttribute(std::string_view key, AttributeValue value) {
  if (tracer_) internal::AddSpanAttribute(Data(), tracer_->provider->limits, key, std::move(value));
}

void UniqueSpan::SetStatus(StatusCode code, std::string_view description) {
  if (!tracer_) return;
  if (data_ == nullptr && StatusFitsShape(code, description)) {
    SetShapedStatus(shaped_, code);
  } else {
    SetSpanStatus(Data(), code, description);
  }
}

void UniqueSpan::End(Timestamp end_time) {
  if (!tracer_) return;
  if (data_ != nullptr) {
    EndSpanData(*tracer_->provider, *data_, end_time);
    data_.reset();
  } else {
    EndShaped(*tracer_->provider, context_, shaped_, end_time);
  }
  tracer_ = nullptr;
}

}  // namespace periscope::trace
