#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <span>

#include "periscope/trace/processor.h"

namespace periscope::trace::testing {

// A gate that callers wait on until it opens; tells when the first caller has begun waiting.
// Thread-safe.
class Gate {
 public:
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    entered_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
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

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool entered_ = false;
  bool open_ = false;
};

// A test exporter that holds every export until opened, tells when the first one has begun, and
// counts the spans it received.
class GatedExporter final : public SpanExporter {
 public:
  ExportResult Export(std::span<const SpanData> spans) override {
    gate_.Wait();
    received_ += spans.size();
    return ExportResult::Ok();
  }
  void WaitUntilEntered() { gate_.WaitUntilEntered(); }
  void Open() { gate_.Open(); }
  size_t received() const { return received_.load(); }

 private:
  Gate gate_;
  std::atomic<size_t> received_{0};
};

}  // namespace periscope::trace::testing
