// nn/training/progress.hpp — what the training loop tells the user while it runs: a one-line progress bar on a
// terminal, a plain line per epoch otherwise, or nothing. Display only; the numbers come from nn/training/train.cpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <iosfwd>

namespace nn::training {

// Auto: Bar when stderr is a terminal (isatty), Lines otherwise (logs, pipes, CI).
enum class ProgressMode { Auto, Bar, Lines, Quiet };

class Progress {
public:
    // Writes to `out` (stderr by default). Epoch and batch numbers passed in are 1-based.
    Progress(ProgressMode mode, std::size_t epochs, std::size_t batches_per_epoch, std::size_t batch_size,
             std::ostream* out = nullptr);
    // After every batch; the bar is redrawn (with \r) at most 10 times a second and on the last batch.
    void batch_done(std::size_t epoch, std::size_t batch, double mean_loss, double lr);
    // After each epoch: replaces the bar with, or prints, one summary line. NaN accuracy = no validation.
    void epoch_done(std::size_t epoch, double train_loss, double validation_accuracy, double seconds);
    ProgressMode mode() const { return mode_; }

private:
    using Clock = std::chrono::steady_clock;
    ProgressMode mode_;
    std::size_t epochs_, batches_, batch_size_;
    std::ostream* out_;
    Clock::time_point start_, epoch_start_, last_draw_;
    std::size_t done_ = 0;                  // batches finished over the whole run
};

}  // namespace nn::training
