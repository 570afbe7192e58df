#ifndef TIDINGS_CCURL_H
#define TIDINGS_CCURL_H
// libcurl, loaded when first needed (dlopen), through typed wrappers.
//
// Linking libcurl directly would load it and the ~35 libraries it depends on (TLS, LDAP, SSH,
// GSSAPI, …) into every process, and run their initialisers: about 5 ms at each start, which
// the offline commands (`tidingsd parse-feed`, `extract-article`) pay for nothing. Only the
// fetcher needs libcurl, so it is loaded the first time a fetcher is made.
//
// The wrappers also give Swift typed versions of libcurl's variadic functions.
#include <curl/curl.h>

/// Loads libcurl.so.4 once. Returns NULL when it is ready, else why it is not (a static
/// string). Every wrapper below fails safely (NULL, CURLE_FAILED_INIT) until it is loaded.
const char *tidings_curl_load(void);

CURLcode tidings_curl_global_init(long flags);
const char *tidings_curl_version(void);
CURL *tidings_curl_easy_init(void);
void tidings_curl_easy_cleanup(CURL *handle);
CURLcode tidings_curl_easy_perform(CURL *handle);
const char *tidings_curl_easy_strerror(CURLcode code);
CURLM *tidings_curl_multi_init(void);
CURLMcode tidings_curl_multi_cleanup(CURLM *multi);
CURLMcode tidings_curl_multi_add_handle(CURLM *multi, CURL *handle);
CURLMcode tidings_curl_multi_remove_handle(CURLM *multi, CURL *handle);
CURLMcode tidings_curl_multi_perform(CURLM *multi, int *running);
CURLMcode tidings_curl_multi_poll(CURLM *multi, struct curl_waitfd *extra, unsigned int count, int timeout_ms, int *ret);
CURLMcode tidings_curl_multi_wakeup(CURLM *multi);
CURLMsg *tidings_curl_multi_info_read(CURLM *multi, int *left);
/// curl_multi_setopt for a long value (the function is variadic).
CURLMcode tidings_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value);
struct curl_slist *tidings_curl_slist_append(struct curl_slist *list, const char *text);
void tidings_curl_slist_free_all(struct curl_slist *list);

CURLcode tidings_curl_setopt_long(CURL *h, CURLoption o, long v);
CURLcode tidings_curl_setopt_off(CURL *h, CURLoption o, curl_off_t v);
CURLcode tidings_curl_setopt_string(CURL *h, CURLoption o, const char *v);
CURLcode tidings_curl_setopt_ptr(CURL *h, CURLoption o, void *v);
CURLcode tidings_curl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v);
CURLcode tidings_curl_setopt_write(CURL *h, CURLoption o, size_t (*f)(char *, size_t, size_t, void *));
CURLcode tidings_curl_setopt_opensocket(CURL *h, curl_socket_t (*f)(void *, curlsocktype, struct curl_sockaddr *));
CURLcode tidings_curl_setopt_xferinfo(CURL *h, int (*f)(void *, curl_off_t, curl_off_t, curl_off_t, curl_off_t));
CURLcode tidings_curl_getinfo_long(CURL *h, CURLINFO i, long *v);
CURLcode tidings_curl_getinfo_string(CURL *h, CURLINFO i, char **v);
CURLcode tidings_curl_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v);

static inline long tidings_curl_global_default(void) { return CURL_GLOBAL_DEFAULT; }
static inline curl_socket_t tidings_curl_socket_bad(void) { return CURL_SOCKET_BAD; }
static inline long tidings_curl_readfunc_abort(void) { return CURL_READFUNC_ABORT; }
#endif
