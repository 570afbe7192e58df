import Foundation

/// Resolves and canonicalizes URLs so that one article has one key: lowercase scheme and host,
/// no default port, no fragment, no `utm_*` tracking parameters.
public enum URLCanonicalizer {
    /// Resolves `reference` against `base` (the document's address); nil if neither makes a URL.
    public static func resolve(_ reference: String, base: String?) -> String? {
        let scalars = reference.unicodeScalars
        let padded = (scalars.first?.properties.isWhitespace ?? true) || (scalars.last?.properties.isWhitespace ?? true)
        let trimmed = padded ? reference.trimmedWhitespace() : reference
        guard !trimmed.isEmpty else { return nil }
        if let base, let baseURL = URL(string: base), let resolved = URL(string: trimmed, relativeTo: baseURL) {
            return resolved.absoluteString
        }
        return URL(string: trimmed)?.absoluteString
    }

    /// Query parameters that only track the reader; dropped from canonical URLs.
    static let trackingParameters: Set<String> = ["fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "yclid", "_hsenc", "_hsmi"]

    /// The canonical form of an absolute URL; nil when `url` is not absolute.
    public static func canonical(_ url: String) -> String? {
        guard var parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased() else { return nil }
        parts.scheme = scheme
        parts.host = parts.host?.lowercased()
        if (scheme == "http" && parts.port == 80) || (scheme == "https" && parts.port == 443) { parts.port = nil }
        parts.fragment = nil
        if let items = parts.queryItems {
            let kept = items.filter { item in
                let name = item.name.lowercased()
                return !name.hasPrefix("utm_") && !trackingParameters.contains(name)
            }
            parts.queryItems = kept.isEmpty ? nil : kept
        }
        if parts.path.isEmpty && parts.host != nil { parts.path = "/" }
        return parts.string
    }
}
