import Foundation

/// robots.txt rules for one user agent: the group naming our product token, else `*`;
/// the longest matching Allow/Disallow wins (RFC 9309), `*` and `$` as wildcards.
public struct RobotsTxt: Sendable, Equatable {
    struct Rule: Sendable, Equatable {
        var allow: Bool
        var pattern: String
    }
    var rules: [Rule]

    /// Everything allowed (no robots.txt, or a 4xx for it).
    public static let allowAll = RobotsTxt(rules: [])
    /// Nothing allowed (robots.txt unreachable for now: the site may be down).
    public static let disallowAll = RobotsTxt(rules: [Rule(allow: false, pattern: "/")])

    init(rules: [Rule]) { self.rules = rules }

    /// Parses `text` for the agent `product` (e.g. "tidingsd").
    public init(_ text: String, product: String) {
        var groups: [(agents: [String], rules: [Rule])] = []
        var current: (agents: [String], rules: [Rule])?
        var lastWasAgent = false
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch key {
            case "user-agent":
                if !lastWasAgent {
                    if let finished = current { groups.append(finished) }
                    current = ([], [])
                }
                current?.agents.append(value.lowercased())
                lastWasAgent = true
            case "allow", "disallow":
                lastWasAgent = false
                // An empty Disallow allows everything; it adds no rule.
                if !value.isEmpty { current?.rules.append(Rule(allow: key == "allow", pattern: value)) }
            default:
                lastWasAgent = false
            }
        }
        if let finished = current { groups.append(finished) }
        let token = product.lowercased()
        let mine = groups.filter { $0.agents.contains { token.hasPrefix($0) && $0 != "*" } }
        let chosen = mine.isEmpty ? groups.filter { $0.agents.contains("*") } : mine
        rules = chosen.flatMap(\.rules)
    }

    /// Whether `path` (with its query) may be fetched.
    public func allows(_ path: String) -> Bool {
        var best: Rule?
        for rule in rules where RobotsTxt.matches(rule.pattern, path) {
            if best == nil || rule.pattern.count > best!.pattern.count || (rule.pattern.count == best!.pattern.count && rule.allow) {
                best = rule
            }
        }
        return best?.allow ?? true
    }

    static func matches(_ pattern: String, _ path: String) -> Bool {
        let anchored = pattern.hasSuffix("$")
        let parts = (anchored ? String(pattern.dropLast()) : pattern).split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        var rest = Substring(path)
        for (index, part) in parts.enumerated() {
            if index == 0 {
                guard rest.hasPrefix(part) else { return false }
                rest = rest.dropFirst(part.count)
            } else if let range = rest.range(of: part) {
                rest = rest[range.upperBound...]
            } else {
                return false
            }
        }
        guard anchored else { return true }
        return parts.count == 1 ? rest.isEmpty : path.hasSuffix(parts.last ?? "")
    }
}
