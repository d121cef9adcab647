#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <span>

#include "periscope/trace/processor.h"

namespace periscope::trace::testing {

// A test exporter that holds every export until opened, tells when the first one has begun, and
// counts the spans it received.
class GatedExporter final : public SpanExporter {
 public:
  ExportResult Export(std::span<const SpanData> spans) override {
    std::unique_lock<std::mutex> lock(mu_);
    entered_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
    received_ += spans.size();
    return ExportResult::Ok();
  }
  void WaitUntilEntered() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return entered_; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  size_t received() {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool entered_ = false;
  bool open_ = false;
  size_t received_ = 0;
};

}  // namespace periscope::trace::testing
