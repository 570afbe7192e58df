#ifndef TIDINGS_SYS_H
#define TIDINGS_SYS_H
// Small typed wrappers over Linux calls whose structs or macros Swift's Glibc module lacks.
#include <sys/types.h>
#include <stdint.h>

/// Credentials of the peer of a connected Unix socket (SO_PEERCRED). Returns 0 or -errno.
int tidings_peer_credentials(int fd, pid_t *pid, uid_t *uid, gid_t *gid);
/// Sends one datagram to an AF_UNIX socket path; a leading '@' means the abstract namespace.
/// Returns 0 or -errno.
int tidings_send_datagram(const char *path, const void *data, size_t length);
/// Creates, binds (mode applied atomically via umask) and listens on a Unix stream socket.
/// Returns the fd or -errno.
int tidings_listen_unix(const char *path, unsigned int mode, int backlog);
/// Connects to a Unix stream socket. Returns the fd or -errno.
int tidings_connect_unix(const char *path);
/// Binds a Unix datagram socket (for tests of sd_notify). Returns the fd or -errno.
int tidings_bind_datagram(const char *path);
/// accept4() with SOCK_NONBLOCK | SOCK_CLOEXEC. Returns the fd or -errno.
int tidings_accept(int listen_fd);
/// Sets O_NONBLOCK and FD_CLOEXEC. Returns 0 or -errno.
int tidings_set_nonblocking(int fd);
/// Opens (creating) `path` and takes an exclusive, non-blocking flock on it, writing our pid
/// into it. Returns the fd (kept open for the process's life), -EWOULDBLOCK when another
/// process holds it (its pid is stored in *holder when readable), or -errno.
int tidings_lock_file(const char *path, int *holder);
/// True when a handler function (neither SIG_DFL nor SIG_IGN) is installed for `signo`.
/// libdispatch installs one when it has registered a signal source, which it does
/// asynchronously after `resume()`.
int tidings_signal_has_handler(int signo);
/// Inflates gzip or zlib data (auto-detected) into a malloc'd buffer of at most `max` bytes.
/// Returns 0 (caller frees *out), -1 on corrupt input, -2 when the output would exceed `max`.
int tidings_gunzip(const uint8_t *in, size_t length, uint8_t **out, size_t *out_length, size_t max);
/// CLOCK_MONOTONIC in microseconds.
uint64_t tidings_monotonic_usec(void);
/// glibc's memmem (a GNU extension, so not visible to Swift without _GNU_SOURCE): the first
/// `needle` in `haystack`, or NULL.
const void *tidings_memmem(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length);

/// Gives freed heap memory back to the system (glibc malloc_trim): after a large transient
/// allocation such as loading 100,000 sources.
int tidings_malloc_trim(void);

/// glibc malloc settings. Blocks from `mmap_threshold` bytes up come from mmap and go back to
/// the system when freed (a fixed threshold: glibc otherwise raises it up to 32 MB after each
/// large free); the heap is trimmed past `trim_threshold` free bytes; `arena_max` arenas at
/// most (0 leaves glibc's eight per core). Batch commands keep large blocks in the heap for
/// reuse (64 MB); the daemon, long-running with many threads and large transient tables,
/// gives them back (256 KiB, two arenas).
void tidings_tune_malloc(int mmap_threshold, int trim_threshold, int arena_max);

/// Starts `argv[0]` (searched in PATH when it has no slash) with `envp`, its stdin, stdout and
/// stderr connected to new pipes whose parent ends (close-on-exec) are returned. The child gets
/// default signal handling and an empty signal mask, in its own process group. Returns 0, or
/// an errno value.
int tidings_spawn(char *const argv[], char *const envp[], pid_t *pid, int *stdin_fd, int *stdout_fd, int *stderr_fd);

#endif
