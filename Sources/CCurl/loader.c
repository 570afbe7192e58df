#include "CCurl.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static struct {
    CURLcode (*global_init)(long);
    char *(*version)(void);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    CURLcode (*easy_perform)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_cleanup)(CURLM *);
    CURLMcode (*multi_add_handle)(CURLM *, CURL *);
    CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
    CURLMcode (*multi_perform)(CURLM *, int *);
    CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd *, unsigned int, int, int *);
    CURLMcode (*multi_wakeup)(CURLM *);
    CURLMsg *(*multi_info_read)(CURLM *, int *);
    CURLMcode (*multi_setopt)(CURLM *, CURLMoption, ...);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
} fn;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int ready;
static char failure[512];

#define FIND(field, symbol)                                                                   \
    do {                                                                                      \
        *(void **)(&fn.field) = dlsym(library, symbol);                                       \
        if (!fn.field) {                                                                      \
            snprintf(failure, sizeof failure, "libcurl.so.4 lacks %s (libcurl 7.68 or newer is needed)", symbol); \
            return;                                                                           \
        }                                                                                     \
    } while (0)

static void load(void) {
    void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        const char *why = dlerror();
        snprintf(failure, sizeof failure, "cannot load libcurl.so.4 (install libcurl4): %s", why ? why : "unknown error");
        return;
    }
    FIND(global_init, "curl_global_init");
    FIND(version, "curl_version");
    FIND(easy_init, "curl_easy_init");
    FIND(easy_cleanup, "curl_easy_cleanup");
    FIND(easy_perform, "curl_easy_perform");
    FIND(easy_strerror, "curl_easy_strerror");
    FIND(easy_setopt, "curl_easy_setopt");
    FIND(easy_getinfo, "curl_easy_getinfo");
    FIND(multi_init, "curl_multi_init");
    FIND(multi_cleanup, "curl_multi_cleanup");
    FIND(multi_add_handle, "curl_multi_add_handle");
    FIND(multi_remove_handle, "curl_multi_remove_handle");
    FIND(multi_perform, "curl_multi_perform");
    FIND(multi_poll, "curl_multi_poll");
    FIND(multi_wakeup, "curl_multi_wakeup");
    FIND(multi_info_read, "curl_multi_info_read");
    FIND(multi_setopt, "curl_multi_setopt");
    FIND(slist_append, "curl_slist_append");
    FIND(slist_free_all, "curl_slist_free_all");
    ready = 1;
}

const char *tidings_curl_load(void) {
    pthread_once(&once, load);
    return ready ? NULL : failure;
}

CURLcode tidings_curl_global_init(long flags) { return ready ? fn.global_init(flags) : CURLE_FAILED_INIT; }
const char *tidings_curl_version(void) { return ready ? fn.version() : "libcurl not loaded"; }
CURL *tidings_curl_easy_init(void) { return ready ? fn.easy_init() : NULL; }
void tidings_curl_easy_cleanup(CURL *handle) { if (ready) fn.easy_cleanup(handle); }
CURLcode tidings_curl_easy_perform(CURL *handle) { return ready ? fn.easy_perform(handle) : CURLE_FAILED_INIT; }
const char *tidings_curl_easy_strerror(CURLcode code) { return ready ? fn.easy_strerror(code) : "libcurl not loaded"; }
CURLM *tidings_curl_multi_init(void) { return ready ? fn.multi_init() : NULL; }
CURLMcode tidings_curl_multi_cleanup(CURLM *multi) { return ready ? fn.multi_cleanup(multi) : CURLM_BAD_HANDLE; }
CURLMcode tidings_curl_multi_add_handle(CURLM *multi, CURL *handle) { return ready ? fn.multi_add_handle(multi, handle) : CURLM_BAD_HANDLE; }
CURLMcode tidings_curl_multi_remove_handle(CURLM *multi, CURL *handle) { return ready ? fn.multi_remove_handle(multi, handle) : CURLM_BAD_HANDLE; }
CURLMcode tidings_curl_multi_perform(CURLM *multi, int *running) { return ready ? fn.multi_perform(multi, running) : CURLM_BAD_HANDLE; }
CURLMcode tidings_curl_multi_poll(CURLM *multi, struct curl_waitfd *extra, unsigned int count, int timeout_ms, int *ret) {
    return ready ? fn.multi_poll(multi, extra, count, timeout_ms, ret) : CURLM_BAD_HANDLE;
}
CURLMcode tidings_curl_multi_wakeup(CURLM *multi) { return ready ? fn.multi_wakeup(multi) : CURLM_BAD_HANDLE; }
CURLMsg *tidings_curl_multi_info_read(CURLM *multi, int *left) { return ready ? fn.multi_info_read(multi, left) : NULL; }
struct curl_slist *tidings_curl_slist_append(struct curl_slist *list, const char *text) { return ready ? fn.slist_append(list, text) : NULL; }
void tidings_curl_slist_free_all(struct curl_slist *list) { if (ready) fn.slist_free_all(list); }

CURLMcode tidings_curl_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return ready ? fn.multi_setopt(m, o, v) : CURLM_INTERNAL_ERROR; }
CURLcode tidings_curl_setopt_long(CURL *h, CURLoption o, long v) { return ready ? fn.easy_setopt(h, o, v) : CURLE_FAILED_INIT; }
CURLcode tidings_curl_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return ready ? fn.easy_setopt(h, o, v) : CURLE_FAILED_INIT; }
CURLcode tidings_curl_setopt_string(CURL *h, CURLoption o, const char *v) { return ready ? fn.easy_setopt(h, o, v) : CURLE_FAILED_INIT; }
CURLcode tidings_curl_setopt_ptr(CURL *h, CURLoption o, void *v) { return ready ? fn.easy_setopt(h, o, v) : CURLE_FAILED_INIT; }
CURLcode tidings_curl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return ready ? fn.easy_setopt(h, o, v) : CURLE_FAILED_INIT; }
CURLcode tidings_curl_setopt_write(CURL *h, CURLoption o, size_t (*f)(char *, size_t, size_t, void *)) {
    return ready ? fn.easy_setopt(h, o, f) : CURLE_FAILED_INIT;
}
CURLcode tidings_curl_setopt_opensocket(CURL *h, curl_socket_t (*f)(void *, curlsocktype, struct curl_sockaddr *)) {
    return ready ? fn.easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, f) : CURLE_FAILED_INIT;
}
CURLcode tidings_curl_setopt_xferinfo(CURL *h, int (*f)(void *, curl_off_t, curl_off_t, curl_off_t, curl_off_t)) {
    return ready ? fn.easy_setopt(h, CURLOPT_XFERINFOFUNCTION, f) : CURLE_FAILED_INIT;
}
CURLcode tidings_curl_getinfo_long(CURL *h, CURLINFO i, long *v) { return ready ? fn.easy_getinfo(h, i, v) : CURLE_FAILED_INIT; }
CURLcode tidings_curl_getinfo_string(CURL *h, CURLINFO i, char **v) { return ready ? fn.easy_getinfo(h, i, v) : CURLE_FAILED_INIT; }
CURLcode tidings_curl_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) { return ready ? fn.easy_getinfo(h, i, v) : CURLE_FAILED_INIT; }
