import CCurl
import Dispatch
import Foundation

/// One configured libcurl easy handle and the state its callbacks fill. Owned by whoever
/// drives it (the transfer loop's thread, or a synchronous caller); freed with it.
final class Transfer {
    let request: FetchRequest
    let handle: UnsafeMutableRawPointer
    let context: TransferContext
    let completion: @Sendable (Result<FetchResponse, FetchError>) -> Void
    /// Where the completion runs: the loop delivers the transfers that end together in one
    /// block per queue (one thread wake-up for many fetches). Nil: on the loop's thread.
    var deliveryQueue: DispatchQueue?
    private var headerList: UnsafeMutablePointer<curl_slist>?
    let started = DispatchTime.now()

    private init(
        request: FetchRequest, handle: UnsafeMutableRawPointer, context: TransferContext,
        completion: @escaping @Sendable (Result<FetchResponse, FetchError>) -> Void
    ) {
        self.request = request
        self.handle = handle
        self.context = context
        self.completion = completion
    }

    deinit {
        tidings_curl_easy_cleanup(handle)
        tidings_curl_slist_free_all(headerList)
    }

    /// A handle set up for `request`: protocols, redirects, timeouts, size cap, TLS, proxy,
    /// conditional headers, and the callbacks that enforce the address policy and the cap.
    static func make(
        _ request: FetchRequest, cancelled: CancelFlag, completion: @escaping @Sendable (Result<FetchResponse, FetchError>) -> Void
    ) -> Result<Transfer, FetchError> {
        if let failure = Fetcher.libraryError { return .failure(FetchError(failure)) }
        guard let handle = tidings_curl_easy_init() else { return .failure(FetchError("libcurl could not create a handle")) }
        let context = TransferContext(maxBytes: request.maxBytes, allowPrivate: request.allowPrivateNetworks, cancelled: cancelled)
        let transfer = Transfer(request: request, handle: handle, context: context, completion: completion)
        let contextPointer = Unmanaged.passUnretained(context).toOpaque()
        if let etag = request.etag { transfer.headerList = tidings_curl_slist_append(transfer.headerList, "If-None-Match: \(etag)") }
        if let modified = request.lastModified {
            transfer.headerList = tidings_curl_slist_append(transfer.headerList, "If-Modified-Since: \(modified)")
        }
        var setup = CURLE_OK
        func set(_ code: CURLcode) { if setup == CURLE_OK { setup = code } }
        set(tidings_curl_setopt_string(handle, CURLOPT_URL, request.url))
        set(tidings_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https,file"))
        set(tidings_curl_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"))
        set(tidings_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 1))
        set(tidings_curl_setopt_long(handle, CURLOPT_MAXREDIRS, 10))
        set(tidings_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        set(tidings_curl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, ""))
        set(tidings_curl_setopt_string(handle, CURLOPT_USERAGENT, request.userAgent))
        set(tidings_curl_setopt_long(handle, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS))
        set(tidings_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, request.tlsVerify ? 1 : 0))
        set(tidings_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, request.tlsVerify ? 2 : 0))
        // No proxy unless configured: libcurl would otherwise take http_proxy/ALL_PROXY from the
        // environment, and the private-network check would only see the proxy.
        set(tidings_curl_setopt_string(handle, CURLOPT_PROXY, request.proxy ?? ""))
        // A proxy's answer to CONNECT is not a response of the site: it must not count as a hop
        // of a redirect chain (nor give its headers to the response).
        set(tidings_curl_setopt_long(handle, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1))
        set(tidings_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(request.connectTimeout * 1000)))
        set(tidings_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(request.timeout * 1000)))
        set(tidings_curl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, 1))
        set(tidings_curl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, 30))
        set(tidings_curl_setopt_off(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(request.maxBytes)))
        set(tidings_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, transfer.headerList))
        set(tidings_curl_setopt_write(handle, CURLOPT_WRITEFUNCTION, writeBody))
        set(tidings_curl_setopt_ptr(handle, CURLOPT_WRITEDATA, contextPointer))
        set(tidings_curl_setopt_write(handle, CURLOPT_HEADERFUNCTION, writeHeader))
        set(tidings_curl_setopt_ptr(handle, CURLOPT_HEADERDATA, contextPointer))
        set(tidings_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0))
        set(tidings_curl_setopt_xferinfo(handle, progress))
        set(tidings_curl_setopt_ptr(handle, CURLOPT_XFERINFODATA, contextPointer))
        set(tidings_curl_setopt_opensocket(handle, openSocket))
        set(tidings_curl_setopt_ptr(handle, CURLOPT_OPENSOCKETDATA, contextPointer))
        guard setup == CURLE_OK else { return .failure(FetchError("libcurl setup failed: \(Fetcher.message(setup))")) }
        return .success(transfer)
    }

    /// The outcome once libcurl finished with `code`.
    func result(code: CURLcode) -> Result<FetchResponse, FetchError> {
        let duration = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        var status = 0
        _ = tidings_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var effective: UnsafeMutablePointer<CChar>?
        _ = tidings_curl_getinfo_string(handle, CURLINFO_EFFECTIVE_URL, &effective)
        let effectiveURL = effective.map { String(cString: $0) } ?? request.url
        let isHTTP = effectiveURL.lowercased().hasPrefix("http")

        if let refused = context.refusedAddress {
            return .failure(
                FetchError(
                    "refused to connect to \(refused): a loopback, private or link-local address "
                        + "(set [fetch] allow_private_networks = true to allow it)"))
        }
        if context.cancelled.isSet && code == CURLE_ABORTED_BY_CALLBACK {
            return .failure(FetchError("cancelled: the daemon is stopping", cancelled: true))
        }
        if context.tooLarge || code == CURLE_FILESIZE_EXCEEDED {
            return .failure(FetchError("response larger than the limit of \(request.maxBytes) bytes; aborted"))
        }
        guard code == CURLE_OK else {
            return .failure(FetchError("\(Fetcher.message(code)) (\(request.url))", status: status == 0 ? nil : status))
        }
        if isHTTP && status >= 400 {
            var error = FetchError("HTTP \(status) from \(effectiveURL)", status: status)
            if status == 429 || status == 503 { error.retryAfter = context.headers["retry-after"].flatMap { HTTPDates.retryAfter($0) } }
            return .failure(error)
        }
        // Every hop but the last was a redirect; all permanent means the source has moved.
        let hops = context.statuses.dropLast()
        let moved = !hops.isEmpty && hops.allSatisfy { $0 == 301 || $0 == 308 } && effectiveURL != request.url
        return .success(
            FetchResponse(
                status: isHTTP ? status : nil, effectiveURL: effectiveURL, headers: context.headers, body: context.body,
                duration: duration, permanentRedirect: moved ? effectiveURL : nil))
    }
}
