// tests/child_process.hpp — run a program as a child with its stdout on a pipe: read lines with a timeout, signal it,
// wait for its exit. For tests of long-running programs (the explorer's server); the destructor never leaves one behind.
#pragma once

#include <chrono>
#include <csignal>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace testing_support {

class ChildProcess {
public:
    // Starts argv[0] with these arguments; stderr goes to `stderr_path` (or is inherited when empty).
    explicit ChildProcess(const std::vector<std::string>& argv, const std::string& stderr_path = "") {
        int fds[2];
        if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
        pid_ = ::fork();
        if (pid_ < 0) throw std::runtime_error("fork failed");
        if (pid_ == 0) {
            ::dup2(fds[1], STDOUT_FILENO);
            ::close(fds[0]);
            ::close(fds[1]);
            if (!stderr_path.empty()) {
                const int err = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
                if (err >= 0) ::dup2(err, STDERR_FILENO);
            }
            std::vector<char*> args;
            for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
            args.push_back(nullptr);
            ::execv(args[0], args.data());
            ::_exit(127);
        }
        ::close(fds[1]);
        out_ = fds[0];
    }
    ~ChildProcess() {
        if (pid_ > 0 && status_ < 0) {
            ::kill(pid_, SIGKILL);
            int st = 0;
            ::waitpid(pid_, &st, 0);
        }
        if (out_ >= 0) ::close(out_);
    }
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    // The next line of stdout (without '\n'); "" at end of output or after `seconds` without a whole line.
    std::string read_line(double seconds) {
        const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
        for (;;) {
            if (const auto nl = buffer_.find('\n'); nl != std::string::npos) {
                std::string line = buffer_.substr(0, nl);
                buffer_.erase(0, nl + 1);
                all_ += line + "\n";
                return line;
            }
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
            if (left.count() <= 0) return "";
            pollfd p{out_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return "";
            char chunk[4096];
            const ssize_t n = ::read(out_, chunk, sizeof chunk);
            if (n <= 0) return "";
            buffer_.append(chunk, static_cast<std::size_t>(n));
        }
    }
    // The first line containing `needle` within `seconds` ("" if none).
    std::string wait_for_line(const std::string& needle, double seconds) {
        const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
        while (std::chrono::steady_clock::now() < end) {
            const double left = std::chrono::duration<double>(end - std::chrono::steady_clock::now()).count();
            std::string line = read_line(left);
            if (line.find(needle) != std::string::npos) return line;
            if (line.empty() && exited(0)) return "";
        }
        return "";
    }
    const std::string& output() const { return all_; }  // every line read so far

    void signal(int sig) { if (status_ < 0) ::kill(pid_, sig); }
    // True once the child has exited, waiting up to `seconds`. Then exit_code() / killed_by() say how.
    bool exited(double seconds) {
        if (status_ >= 0) return true;
        const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
        do {
            int st = 0;
            if (::waitpid(pid_, &st, WNOHANG) == pid_) {
                status_ = st;
                return true;
            }
            ::usleep(10000);
        } while (std::chrono::steady_clock::now() < end);
        return false;
    }
    int exit_code() const { return status_ >= 0 && WIFEXITED(status_) ? WEXITSTATUS(status_) : -1; }
    int killed_by() const { return status_ >= 0 && WIFSIGNALED(status_) ? WTERMSIG(status_) : 0; }

private:
    pid_t pid_ = -1;
    int out_ = -1;
    int status_ = -1;
    std::string buffer_, all_;
};

}  // namespace testing_support
