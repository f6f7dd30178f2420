// nn/training/progress.cpp — formatting the progress bar and the per-epoch lines.
// Nothing here affects training; it only reads the clock and writes to a stream.
#include "nn/training/progress.hpp"

#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>

#include <unistd.h>

namespace nn::training {

namespace {
std::string clock_str(double seconds) {                      // 75 -> "1:15"
    if (!std::isfinite(seconds) || seconds < 0) seconds = 0;
    const long s = std::lround(seconds);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    return buf;
}
}  // namespace

Progress::Progress(ProgressMode mode, std::size_t epochs, std::size_t batches_per_epoch, std::size_t batch_size,
                   std::ostream* out)
    : mode_(mode), epochs_(epochs), batches_(batches_per_epoch), batch_size_(batch_size),
      out_(out ? out : &std::cerr) {
    if (mode_ == ProgressMode::Auto) mode_ = ::isatty(STDERR_FILENO) ? ProgressMode::Bar : ProgressMode::Lines;
    start_ = epoch_start_ = last_draw_ = Clock::now();
}

void Progress::batch_done(std::size_t epoch, std::size_t batch, double mean_loss, double lr) {
    ++done_;
    if (batch == 1) epoch_start_ = Clock::now();
    if (mode_ != ProgressMode::Bar) return;
    const auto now = Clock::now();
    if (batch != batches_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double epoch_elapsed = std::chrono::duration<double>(now - epoch_start_).count();
    const double images_per_s = epoch_elapsed > 0 ? static_cast<double>(batch * batch_size_) / epoch_elapsed : 0;
    const double left = static_cast<double>(epochs_ * batches_ - done_) * elapsed / static_cast<double>(done_);
    constexpr std::size_t width = 24;
    const std::size_t filled = batch * width / (batches_ ? batches_ : 1);
    char line[256];
    std::snprintf(line, sizeof line, "\repoch %zu/%zu [%s%s] %zu/%zu  loss %.4f  lr %.3g  %.0f img/s  ETA %s ",
                  epoch, epochs_, std::string(filled, '#').c_str(), std::string(width - filled, '.').c_str(),
                  batch, batches_, mean_loss, lr, images_per_s, clock_str(left).c_str());
    *out_ << line << std::flush;
}

void Progress::epoch_done(std::size_t epoch, double train_loss, double validation_accuracy, double seconds) {
    if (mode_ == ProgressMode::Quiet) return;
    char line[256];
    const double images_per_s = seconds > 0 ? static_cast<double>(batches_ * batch_size_) / seconds : 0;
    if (std::isnan(validation_accuracy))
        std::snprintf(line, sizeof line, "epoch %zu/%zu  train loss %.4f  %.1f s  (%.0f img/s)", epoch, epochs_,
                      train_loss, seconds, images_per_s);
    else
        std::snprintf(line, sizeof line, "epoch %zu/%zu  train loss %.4f  validation accuracy %.2f%%  %.1f s  (%.0f img/s)",
                      epoch, epochs_, train_loss, 100.0 * validation_accuracy, seconds, images_per_s);
    if (mode_ == ProgressMode::Bar) *out_ << "\r\x1b[K";          // back to column 0, erase the bar
    *out_ << line << '\n' << std::flush;
}

}  // namespace nn::training
