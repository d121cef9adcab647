#include "periscope/trace/span.h"

#include <thread>
#include <vector>

#include "sdk/span_pool.h"
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

void SetSpanStatus(SpanData& data, StatusCode code, std::string_view description) {
  if (data.status == StatusCode::kOk || code == StatusCode::kUnset) return;
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

}  // namespace

namespace internal {

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
  if (span->tracer_->provider->shut_down.load(std::memory_order_relaxed) ||
      !ReusableSpanData(*span->data_) || !KeepSpan(span)) {
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

std::shared_ptr<Span> Span::NonRecording(const SpanContext& ctx) {
  return std::make_shared<Span>(PrivateTag(), SpanContext(ctx), nullptr);
}

bool Span::IsRecording() const {
  std::lock_guard<internal::SpinLock> lock(mu_);
  return recording_;
}

void Span::SetAttribute(std::string_view key, AttributeValue value) {
  std::lock_guard<internal::SpinLock> lock(mu_);
  if (!recording_) return;
  internal::AddSpanAttribute(*data_, tracer_->provider->limits, key, std::move(value));
}

void Span::SetAttributes(const Attributes& attributes) {
  for (const auto& [k, v] : attributes) SetAttribute(k, v);
}

void Span::AddEvent(std::string_view name, Attributes attributes, Timestamp time) {
  std::lock_guard<internal::SpinLock> lock(mu_);
  if (!recording_) return;
  if (data_->events.size() >= tracer_->provider->limits.max_events) {
    data_->dropped_events++;
    return;
  }
  data_->events.push_back({std::string(name), time, std::move(attributes)});
}

void Span::AddLink(const SpanContext& context, Attributes attributes) {
  std::lock_guard<internal::SpinLock> lock(mu_);
  if (!recording_ || !context.IsValid()) return;
  if (data_->links.size() >= tracer_->provider->limits.max_links) {
    data_->dropped_links++;
    return;
  }
  data_->links.push_back({context, std::move(attributes)});
}

void Span::RecordException(std::string_view type, std::string_view message) {
  AddEvent("exception", {{"exception.type", type}, {"exception.message", message}});
  SetStatus(StatusCode::kError, message);
}

void Span::SetStatus(StatusCode code, std::string_view description) {
  std::lock_guard<internal::SpinLock> lock(mu_);
  if (recording_) SetSpanStatus(*data_, code, description);
}

void Span::UpdateName(std::string_view name) {
  std::lock_guard<internal::SpinLock> lock(mu_);
  if (recording_) data_->name.assign(name);
}

void Span::End(Timestamp end_time) {
  {
    std::lock_guard<internal::SpinLock> lock(mu_);
    if (!recording_) return;
    recording_ = false;
  }
  // No other method touches data_ once recording_ is false.
  EndSpanData(*tracer_->provider, *data_, end_time);
}

void UniqueSpan::SetAttribute(std::string_view key, AttributeValue value) {
  if (data_) internal::AddSpanAttribute(*data_, tracer_->provider->limits, key, std::move(value));
}

void UniqueSpan::SetStatus(StatusCode code, std::string_view description) {
  if (data_) SetSpanStatus(*data_, code, description);
}

void UniqueSpan::End(Timestamp end_time) {
  if (!data_) return;
  EndSpanData(*tracer_->provider, *data_, end_time);
  data_.reset();
}

}  // namespace periscope::trace
