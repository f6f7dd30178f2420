// nn/training/atomic_file.hpp — writing files so a reader never sees half of one: temporary name, then rename.
// Plain bytes only; what goes into the files is nn/training/model_io.cpp's and nn/training/metrics.cpp's business.
#pragma once

#include <string>

namespace nn::training {

// Writes `bytes` to "<path>.tmp.<pid>" and returns that name; throws naming `path` if the write fails
// (the half-written temporary is removed). Rename it into place with commit_file().
std::string write_temporary(const std::string& path, const std::string& bytes);
// Renames `temporary` to `path` (atomic on one file system); throws naming `path` on failure.
void commit_file(const std::string& temporary, const std::string& path);
// write_temporary + commit_file.
void write_file_atomic(const std::string& path, const std::string& bytes);

}  // namespace nn::training
