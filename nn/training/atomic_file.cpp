// nn/training/atomic_file.cpp — temporary file + rename, with errors that name the file and the reason.
// No knowledge of formats; callers hand over finished bytes.
#include "nn/training/atomic_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include <unistd.h>

namespace nn::training {

std::string write_temporary(const std::string& path, const std::string& bytes) {
    const std::string tmp = path + ".tmp." + std::to_string(::getpid());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw std::runtime_error(path + ": cannot write (" + std::strerror(errno) + ")");
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        out.close();
        if (!out) {
            const std::string reason = std::strerror(errno);
            std::remove(tmp.c_str());
            throw std::runtime_error(path + ": write failed (" + reason + ")");
        }
    }
    return tmp;
}

void commit_file(const std::string& temporary, const std::string& path) {
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
        const std::string reason = std::strerror(errno);
        std::remove(temporary.c_str());
        throw std::runtime_error(path + ": cannot rename the temporary file into place (" + reason + ")");
    }
}

void write_file_atomic(const std::string& path, const std::string& bytes) {
    commit_file(write_temporary(path, bytes), path);
}

}  // namespace nn::training
