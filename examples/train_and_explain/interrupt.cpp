// examples/train_and_explain/interrupt.cpp — the SIGINT handler: unlink our temporaries under --out, then die of the signal.
// Async-signal-safe only: raw open/getdents64/unlinkat system calls and fixed buffers, no malloc, no streams.
#include "examples/train_and_explain/interrupt.hpp"

#include <csignal>
#include <cstdio>
#include <cstring>

#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace app {

namespace {

char g_out[4096];          // --out, as given
char g_dot[64];            // ".tmp.<pid>"  (nn/training/atomic_file.cpp), a name suffix
char g_dash[64];           // ".tmp-<pid>-" (sensitivity/figures/figure.cpp), inside a name

bool ends_with(const char* s, const char* suffix) {
    const std::size_t n = std::strlen(s), m = std::strlen(suffix);
    return n >= m && std::memcmp(s + n - m, suffix, m) == 0;
}

// Unlinks our temporaries in the open directory `dir` and, up to `depth` levels, in its subdirectories.
void sweep(int dir, int depth) {
    alignas(8) char buf[4096];
    for (;;) {
        const long n = syscall(SYS_getdents64, dir, buf, sizeof buf);
        if (n <= 0) return;
        for (long off = 0; off < n;) {
            struct Entry {                       // linux_dirent64
                unsigned long long ino;
                long long off;
                unsigned short reclen;
                unsigned char type;
                char name[1];
            };
            const auto* e = reinterpret_cast<const Entry*>(buf + off);
            off += e->reclen;
            const char* name = e->name;
            if (std::strcmp(name, ".") == 0 || std::strcmp(name, "..") == 0) continue;
            if (ends_with(name, g_dot) || std::strstr(name, g_dash)) {
                unlinkat(dir, name, 0);
            } else if (e->type == DT_DIR && depth > 0) {
                const int sub = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sub >= 0) {
                    sweep(sub, depth - 1);
                    close(sub);
                }
            }
        }
    }
}

void on_signal(int sig) {
    // Run on the main thread, the only one that writes files, so no write can start while we sweep:
    // a signal that landed on a BLAS worker is passed on to it.
    if (syscall(SYS_gettid) != getpid()) {
        syscall(SYS_tgkill, getpid(), getpid(), sig);
        return;
    }
    const int dir = open(g_out, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        sweep(dir, 4);
        close(dir);
    }
    const char msg[] = "train-and-explain: interrupted; temporary files removed\n";
    [[maybe_unused]] const auto w = write(STDERR_FILENO, msg, sizeof msg - 1);
    signal(sig, SIG_DFL);  // die of the signal, so the shell sees 128 + sig
    raise(sig);
}

}  // namespace

void remove_temporaries_on_interrupt(const std::string& out_dir) {
    if (out_dir.size() >= sizeof g_out) return;  // such a path cannot be opened anyway
    std::memcpy(g_out, out_dir.c_str(), out_dir.size() + 1);
    const long pid = static_cast<long>(getpid());
    std::snprintf(g_dot, sizeof g_dot, ".tmp.%ld", pid);
    std::snprintf(g_dash, sizeof g_dash, ".tmp-%ld-", pid);
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);   // one signal at a time
    sigaddset(&sa.sa_mask, SIGTERM);
    sigaddset(&sa.sa_mask, SIGHUP);
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &sa, nullptr);
}

}  // namespace app
