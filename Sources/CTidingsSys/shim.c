#define _GNU_SOURCE
#include "CTidingsSys.h"
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <malloc.h>
#include <spawn.h>

int tidings_peer_credentials(int fd, pid_t *pid, uid_t *uid, gid_t *gid) {
    struct ucred cred;
    socklen_t len = sizeof(cred);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return -errno;
    *pid = cred.pid; *uid = cred.uid; *gid = cred.gid;
    return 0;
}

static int fill_address(const char *path, struct sockaddr_un *sa, socklen_t *len) {
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof(sa->sun_path)) return -ENAMETOOLONG;
    memset(sa, 0, sizeof(*sa));
    sa->sun_family = AF_UNIX;
    memcpy(sa->sun_path, path, n);
    if (path[0] == '@') sa->sun_path[0] = '\0';
    *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (path[0] == '@' ? 0 : 1));
    return 0;
}

int tidings_send_datagram(const char *path, const void *data, size_t length) {
    struct sockaddr_un sa; socklen_t len;
    int rc = fill_address(path, &sa, &len);
    if (rc != 0) return rc;
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    ssize_t sent;
    // Never blocks: the watchdog pings go out from the control queue, and a notify socket
    // that nobody reads (its queue full) must not stall the daemon; such a send fails instead.
    do { sent = sendto(fd, data, length, MSG_NOSIGNAL | MSG_DONTWAIT, (struct sockaddr *)&sa, len); } while (sent < 0 && errno == EINTR);
    int err = sent < 0 ? -errno : 0;
    close(fd);
    return err;
}

int tidings_listen_unix(const char *path, unsigned int mode, int backlog) {
    struct sockaddr_un sa; socklen_t len;
    int rc = fill_address(path, &sa, &len);
    if (rc != 0) return rc;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return -errno;
    // The socket file gets its mode from the umask at bind time: never briefly world-writable.
    mode_t old = umask((mode_t)(~mode & 0777));
    rc = bind(fd, (struct sockaddr *)&sa, len);
    int err = errno;
    umask(old);
    if (rc != 0) { close(fd); return -err; }
    if (path[0] != '@' && chmod(path, (mode_t)mode) != 0) { err = errno; close(fd); return -err; }
    if (listen(fd, backlog) != 0) { err = errno; close(fd); return -err; }
    return fd;
}

int tidings_connect_unix(const char *path) {
    struct sockaddr_un sa; socklen_t len;
    int rc = fill_address(path, &sa, &len);
    if (rc != 0) return rc;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    do { rc = connect(fd, (struct sockaddr *)&sa, len); } while (rc != 0 && errno == EINTR);
    if (rc != 0) { int err = errno; close(fd); return -err; }
    return fd;
}

int tidings_bind_datagram(const char *path) {
    struct sockaddr_un sa; socklen_t len;
    int rc = fill_address(path, &sa, &len);
    if (rc != 0) return rc;
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    if (bind(fd, (struct sockaddr *)&sa, len) != 0) { int err = errno; close(fd); return -err; }
    return fd;
}

int tidings_accept(int listen_fd) {
    int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

int tidings_set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) return -errno;
    int fdflags = fcntl(fd, F_GETFD);
    if (fdflags < 0 || fcntl(fd, F_SETFD, fdflags | FD_CLOEXEC) != 0) return -errno;
    return 0;
}

int tidings_lock_file(const char *path, int *holder) {
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) return -errno;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        char buf[32] = {0};
        if (pread(fd, buf, sizeof(buf) - 1, 0) > 0) *holder = atoi(buf);
        close(fd);
        return -err;
    }
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
    if (ftruncate(fd, 0) == 0) { ssize_t w = pwrite(fd, buf, (size_t)n, 0); (void)w; }
    return fd;
}

int tidings_signal_has_handler(int signo) {
    struct sigaction current;
    if (sigaction(signo, NULL, &current) != 0) return 0;
    if (current.sa_flags & SA_SIGINFO) return current.sa_sigaction != NULL;
    return current.sa_handler != SIG_DFL && current.sa_handler != SIG_IGN;
}

int tidings_gunzip(const uint8_t *in, size_t length, uint8_t **out, size_t *out_length, size_t max) {
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if (inflateInit2(&zs, 15 + 32) != Z_OK) return -1;
    size_t capacity = length * 4 + 1024, used = 0;
    if (capacity > max) capacity = max + 1;
    uint8_t *buffer = malloc(capacity);
    if (!buffer) { inflateEnd(&zs); return -1; }
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)length;
    int rc;
    do {
        if (used == capacity) {
            if (capacity > max) { free(buffer); inflateEnd(&zs); return -2; }
            size_t next = capacity * 2;
            if (next > max + 1) next = max + 1;
            uint8_t *grown = realloc(buffer, next);
            if (!grown) { free(buffer); inflateEnd(&zs); return -1; }
            buffer = grown;
            capacity = next;
        }
        zs.next_out = buffer + used;
        zs.avail_out = (uInt)(capacity - used);
        rc = inflate(&zs, Z_NO_FLUSH);
        used = capacity - zs.avail_out;
        if (used > max) { free(buffer); inflateEnd(&zs); return -2; }
    } while (rc == Z_OK);
    inflateEnd(&zs);
    if (rc != Z_STREAM_END) { free(buffer); return -1; }
    *out = buffer;
    *out_length = used;
    return 0;
}

uint64_t tidings_monotonic_usec(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

const void *tidings_memmem(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length) {
    return memmem(haystack, haystack_length, needle, needle_length);
}

int tidings_malloc_trim(void) { return malloc_trim(0); }


void tidings_tune_malloc(int mmap_threshold, int trim_threshold, int arena_max) {
    mallopt(M_MMAP_THRESHOLD, mmap_threshold);
    mallopt(M_TRIM_THRESHOLD, trim_threshold);
    if (arena_max > 0) mallopt(M_ARENA_MAX, arena_max);
}

int tidings_spawn(char *const argv[], char *const envp[], pid_t *pid, int *stdin_fd, int *stdout_fd, int *stderr_fd) {
    int in[2], out[2], err[2];
    if (pipe2(in, O_CLOEXEC) != 0) return errno;
    if (pipe2(out, O_CLOEXEC) != 0) { int e = errno; close(in[0]); close(in[1]); return e; }
    if (pipe2(err, O_CLOEXEC) != 0) { int e = errno; close(in[0]); close(in[1]); close(out[0]); close(out[1]); return e; }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setsigdefault(&attributes, &all);
    posix_spawnattr_setpgroup(&attributes, 0);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
    int result = posix_spawnp(pid, argv[0], &actions, &attributes, argv, envp);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    close(in[0]);
    close(out[1]);
    close(err[1]);
    if (result != 0) {
        close(in[1]);
        close(out[0]);
        close(err[0]);
        return result;
    }
    *stdin_fd = in[1];
    *stdout_fd = out[0];
    *stderr_fd = err[0];
    return 0;
}
