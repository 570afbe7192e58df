import CXML

/// The scoring pass of ``ArticleExtractor``.
struct BodyFinder {
    let root: XMLNode
    /// Ancestors of `<article>`, `<main>` and `itemprop=articleBody`: a class name such as
    /// "with-sidebar" or "non-ad-column" on them must not hide the article inside.
    let protected: Set<xmlNodePtr>

    init(root: XMLNode) {
        self.root = root
        var marked = Set<xmlNodePtr>()
        func walk(_ node: XMLNode) {
            guard node.isElement else { return }
            let name = node.name
            // Most elements have no attributes: asking for two would copy nothing but cost.
            let attributed = node.pointer.pointee.properties != nil
            if name == "article" || name == "main" || (attributed && (node.attribute("itemprop") == "articleBody" || node.attribute("role") == "main")) {
                var up = node.parent
                while let ancestor = up, !marked.contains(ancestor.pointer) {
                    marked.insert(ancestor.pointer)
                    up = ancestor.parent
                }
                marked.insert(node.pointer)
            }
            for child in node.childNodes where child.isElement { walk(child) }
        }
        walk(root)
        protected = marked
    }

    static let skipped: Set<String> = [
        "script", "style", "noscript", "template", "iframe", "svg", "button", "select", "input", "textarea",
        "nav", "footer", "aside", "head", "object", "embed", "canvas", "audio", "video", "figcaption", "menu",
    ]
    static let blocks: Set<String> = [
        "p", "div", "section", "article", "main", "blockquote", "pre", "ul", "ol", "li", "table", "tr", "td", "h1", "h2",
        "h3", "h4", "h5", "h6", "header", "figure", "dl", "dt", "dd", "br", "hr",
    ]
    static let paragraphs: Set<String> = ["p", "pre", "td", "blockquote", "li", "h2", "h3", "h4"]
    /// Class/id words (split on anything not a letter or digit) that mark boilerplate: whole
    /// words, or prefixes of words (`comments`, `sidebar-left`).
    static let negativeWords: Set<String> = [
        "nav", "navbar", "navigation", "menu", "foot", "footer", "ad", "ads", "tags", "tag", "byline", "caption", "toolbar",
        "masthead", "disclaimer", "breadcrumbs", "breadcrumb", "pagination", "pager", "rss", "print",
    ]
    static let negativePrefixes = [
        "comment", "sidebar", "share", "sharing", "social", "related", "newsletter", "subscri", "promo", "advert", "cookie",
        "banner", "outbrain", "taboola", "sponsor", "recommend", "popup", "modal", "signup", "paywall", "trending", "gdpr",
        "consent",
    ]
    static let positivePrefixes = ["article", "body", "content", "entry", "main", "post", "story", "text", "blog"]

    /// One scored block.
    final class Candidate {
        let node: XMLNode
        var score: Double
        init(node: XMLNode, score: Double) {
            self.node = node
            self.score = score
        }
    }

    /// The class/id weight of a node (−25 boilerplate, +25 content, both, or neither),
    /// computed once per node and once per distinct class/id text: a page repeats the same
    /// few dozen labels on thousands of nodes, and each took a split and ~30 prefix tests.
    func classWeight(_ node: XMLNode) -> Double {
        if let known = counts.weights[node.pointer] { return known }
        let label = ((node.attribute("class") ?? "") + " " + (node.attribute("id") ?? "")).lowercased()
        let weight: Double
        if let known = counts.weightsByLabel[label] {
            weight = known
        } else {
            weight = BodyFinder.weight(ofLabel: label)
            counts.weightsByLabel[label] = weight
        }
        counts.weights[node.pointer] = weight
        return weight
    }

    static func weight(ofLabel label: String) -> Double {
        if label.utf8.allSatisfy({ $0 < 0x80 }) {
            guard label.utf8.count > 1 else { return 0 }
            return asciiWeight(Array(label.utf8))
        }
        guard label.count > 1 else { return 0 }
        let words = label.split { !($0.isLetter || $0.isNumber) }.map(String.init)
        var weight = 0.0
        if words.contains(where: { BodyFinder.negativeWords.contains($0) || BodyFinder.negativePrefixes.contains(where: $0.hasPrefix) }) {
            weight -= 25
        }
        if words.contains(where: { word in BodyFinder.positivePrefixes.contains(where: word.hasPrefix) }) { weight += 25 }
        return weight
    }

    /// A marker word of the class/id lists, as bytes: a whole word (`negativeWords`) or a
    /// prefix, boilerplate or content.
    struct Marker {
        let bytes: [UInt8]
        let whole: Bool
        let negative: Bool
    }

    /// The markers by their first byte.
    static let markersByFirstByte: [[Marker]] = {
        var table = [[Marker]](repeating: [], count: 256)
        for word in negativeWords { table[Int(word.utf8.first!)].append(Marker(bytes: Array(word.utf8), whole: true, negative: true)) }
        for prefix in negativePrefixes { table[Int(prefix.utf8.first!)].append(Marker(bytes: Array(prefix.utf8), whole: false, negative: true)) }
        for prefix in positivePrefixes { table[Int(prefix.utf8.first!)].append(Marker(bytes: Array(prefix.utf8), whole: false, negative: false)) }
        return table
    }()

    /// An ASCII label (lower case): words are its runs of letters and digits, each looked up
    /// by its first byte and compared by bytes (the same words and tests as by String, without
    /// a string per word or ~30 `hasPrefix` calls).
    static func asciiWeight(_ label: [UInt8]) -> Double {
        var negative = false, positive = false
        func isWordByte(_ byte: UInt8) -> Bool { (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) }
        var index = 0
        while index < label.count {
            guard isWordByte(label[index]) else {
                index += 1
                continue
            }
            var end = index + 1
            while end < label.count && isWordByte(label[end]) { end += 1 }
            for marker in markersByFirstByte[Int(label[index])] where marker.bytes.count <= end - index {
                if marker.whole && marker.bytes.count != end - index { continue }
                guard (0..<marker.bytes.count).allSatisfy({ label[index + $0] == marker.bytes[$0] }) else { continue }
                if marker.negative { negative = true } else { positive = true }
            }
            index = end
        }
        return (negative ? -25 : 0) + (positive ? 25 : 0)
    }

    /// True for boilerplate containers: skipped tags, or class/id that say so (unless they
    /// also look like content).
    func isUnlikely(_ node: XMLNode) -> Bool {
        if let known = counts.unlikely[node.pointer] { return known }
        let verdict = judgeUnlikely(node)
        counts.unlikely[node.pointer] = verdict
        return verdict
    }

    private func judgeUnlikely(_ node: XMLNode) -> Bool {
        let tag = tag(node)
        if tag.skipped { return true }
        let name = tag.name
        if name == "body" || name == "html" || name == "article" || name == "main" || protected.contains(node.pointer) { return false }
        guard node.pointer.pointee.properties != nil else { return false }  // no attributes: no class, id or role
        if node.attribute("hidden") != nil || node.attribute("aria-hidden") == "true" { return true }
        if let role = node.attribute("role"), ["navigation", "complementary", "banner", "contentinfo", "dialog"].contains(role) { return true }
        return classWeight(node) < 0
    }

    /// Character counts (all, inside links) under each element, computed once per node.
    final class Counts {
        var map: [xmlNodePtr: (chars: Int, linkChars: Int)] = [:]
        var unlikely: [xmlNodePtr: Bool] = [:]
        var weights: [xmlNodePtr: Double] = [:]
        var weightsByLabel: [String: Double] = [:]
        var tags: [UnsafePointer<xmlChar>: Tag] = [:]
    }
    let counts = Counts()

    /// An element's name and what the reader makes of it.
    struct Tag {
        let name: String
        let skipped: Bool
        let block: Bool
        let paragraph: Bool
    }

    /// The tag of an element, made once per name: libxml2 keeps one copy of each name in the
    /// document's dictionary, so the name's address is its key (a new name string and set
    /// look-ups at every visit of every node were a tenth of the reading).
    func tag(_ node: XMLNode) -> Tag {
        guard let raw = node.pointer.pointee.name else { return Tag(name: "", skipped: false, block: false, paragraph: false) }
        if let known = counts.tags[raw] { return known }
        let name = node.name
        let made = Tag(name: name, skipped: BodyFinder.skipped.contains(name), block: BodyFinder.blocks.contains(name), paragraph: BodyFinder.paragraphs.contains(name))
        counts.tags[raw] = made
        return made
    }

    /// Visible characters under `node` (boilerplate excluded) and how many are inside links.
    func count(_ node: XMLNode) -> (chars: Int, linkChars: Int) {
        if let known = counts.map[node.pointer] { return known }
        var chars = 0, links = 0
        for child in node.childNodes {
            if child.isText {
                chars += child.contentLength
            } else if child.isElement && !isUnlikely(child) {
                let inner = count(child)
                chars += inner.chars
                links += tag(child).name == "a" ? inner.chars : inner.linkChars
            }
        }
        counts.map[node.pointer] = (chars, links)
        return (chars, links)
    }

    /// Visible text under `node`, boilerplate excluded (link densities come from ``count(_:)``),
    /// as libxml2's UTF-8 bytes.
    func visibleBytes(_ node: XMLNode) -> [UInt8] {
        var bytes: [UInt8] = []
        func walk(_ n: XMLNode) {
            if n.isText {
                if let content = n.pointer.pointee.content {
                    bytes.append(contentsOf: UnsafeBufferPointer(start: content, count: Int(xmlStrlen(content))))
                }
                return
            }
            guard n.isElement, !isUnlikely(n) else { return }
            for child in n.childNodes { walk(child) }
        }
        walk(node)
        return bytes
    }

    /// The commas of a paragraph's visible text ("," and "，"), counted as characters are:
    /// by bytes where a comma stands between ASCII (it is a character of its own there), and
    /// by characters when any comma touches another byte (a combining mark after it would
    /// make it part of another character). Making the text a string and comparing every
    /// character was a sixth of the reading.
    func commas(_ node: XMLNode) -> Int {
        let bytes = visibleBytes(node)
        var count = 0
        var index = 0
        let end = bytes.count
        while index < end {
            let byte = bytes[index]
            var length = 0
            if byte == 0x2C {
                length = 1
            } else if byte == 0xEF, index + 2 < end, bytes[index + 1] == 0xBC, bytes[index + 2] == 0x8C {
                length = 3
            }
            if length > 0 {
                let before = index == 0 || bytes[index - 1] < 0x80
                let after = index + length >= end || bytes[index + length] < 0x80
                guard before && after else {
                    return String(decoding: bytes, as: UTF8.self).reduce(0) { $0 + ($1 == "," || $1 == "，" ? 1 : 0) }
                }
                count += 1
            }
            index += max(length, 1)
        }
        return count
    }

    /// The article text: paragraphs of the best block and its worthy siblings.
    func text() -> String { choose(explaining: false).text }

    /// Why: the best-scoring blocks, as `score  path`, for `extract-article --explain`.
    func explain() -> [String] { choose(explaining: true).explanation }

    func path(_ node: XMLNode) -> String {
        var parts: [String] = []
        var current: XMLNode? = node
        while let n = current {
            let label = [n.attribute("id").map { "#" + $0 }, n.attribute("class").map { "." + $0.split(separator: " ").joined(separator: ".") }]
                .compactMap { $0 }.joined()
            parts.append(n.name + label)
            current = n.parent
        }
        return parts.reversed().joined(separator: " > ")
    }

    private func choose(explaining: Bool) -> (text: String, explanation: [String]) {
        guard let body = findBody(root) else { return ("", ["no <body>"]) }
        var scores: [xmlNodePtr: Candidate] = [:]
        func candidate(_ node: XMLNode) -> Candidate {
            if let existing = scores[node.pointer] { return existing }
            var base = classWeight(node)
            let name = tag(node).name
            switch name {
            case "div", "article", "section", "main": base += 5
            case "pre", "td", "blockquote": base += 3
            case "ol", "ul", "dl", "dd", "dt", "li", "form": base -= 3
            case "h1", "h2", "h3", "h4", "h5", "h6", "th": base -= 5
            default: break
            }
            if name == "article" { base += 10 }
            let created = Candidate(node: node, score: base)
            scores[node.pointer] = created
            return created
        }
        // Paragraphs vote for their ancestors.
        // `ancestors` is one stack, pushed and popped (a new array per node copied the path).
        func visit(_ node: XMLNode, ancestors: inout [XMLNode]) {
            guard node.isElement, !isUnlikely(node) else { return }
            let nodeTag = tag(node)
            let isParagraph = nodeTag.paragraph
                || (nodeTag.name == "div" && !node.childNodes.contains { $0.isElement && tag($0).block })
            if isParagraph {
                // Only paragraphs long enough to vote are read out (for their commas).
                let length = count(node).chars
                if length >= 25 {
                    let commas = Double(self.commas(node))
                    let vote = 1 + commas + min(Double(length) / 100, 3)
                    for (depth, ancestor) in ancestors.reversed().prefix(3).enumerated() {
                        candidate(ancestor).score += vote / [1, 2, 3][depth]
                    }
                }
                if nodeTag.name != "div" { return }
            }
            ancestors.append(node)
            for child in node.childNodes { visit(child, ancestors: &ancestors) }
            ancestors.removeLast()
        }
        var stack: [XMLNode] = []
        visit(body, ancestors: &stack)
        guard !scores.isEmpty else { return (paragraphs(of: [body]), ["no paragraph scored; whole body"]) }
        for candidate in scores.values {
            let (chars, links) = count(candidate.node)
            let density = chars == 0 ? 1 : Double(links) / Double(chars)
            candidate.score *= (1 - density)
        }
        guard let best = scores.values.max(by: { $0.score < $1.score }) else { return (paragraphs(of: [body]), []) }
        let explanation = !explaining ? [] : scores.values.sorted { $0.score > $1.score }.prefix(6).map { "\(Int($0.score))  \(path($0.node))" }
        // Siblings that score well, or that are plain paragraphs of prose, join the article.
        var chosen: [XMLNode] = []
        let threshold = max(10, best.score * 0.2)
        if let parent = best.node.parent {
            for sibling in parent.elements {
                if sibling.pointer == best.node.pointer {
                    chosen.append(sibling)
                    continue
                }
                guard !isUnlikely(sibling) else { continue }
                if let score = scores[sibling.pointer]?.score, score >= threshold {
                    chosen.append(sibling)
                } else if sibling.name == "p" {
                    let (chars, links) = count(sibling)
                    if chars > 80 && Double(links) < 0.25 * Double(chars) { chosen.append(sibling) }
                }
            }
        } else {
            chosen = [best.node]
        }
        return (paragraphs(of: chosen), !explaining ? [] : explanation + ["chosen: " + chosen.map(path).joined(separator: " | ")])
    }

    func findBody(_ node: XMLNode) -> XMLNode? {
        if node.name == "body" { return node }
        for child in node.elements { if let body = findBody(child) { return body } }
        return node.name == "html" ? node : nil
    }

    /// The text of `nodes` as paragraphs, dropping link lists and boilerplate blocks.
    func paragraphs(of nodes: [XMLNode]) -> String {
        var out: [String] = []
        var current = ""
        func flush() {
            let line = HTMLText.collapse(current)
            if !line.isEmpty { out.append(line) }
            current = ""
        }
        func walk(_ node: XMLNode) {
            if node.isText {
                current += node.content
                return
            }
            // The headline is the article's title, reported apart from its text.
            guard node.isElement, !isUnlikely(node) else { return }
            let nodeTag = tag(node)
            let name = nodeTag.name
            guard name != "h1" else { return }
            let block = nodeTag.block
            if block {
                flush()
                // A block that is mostly links (a list of related stories) is not prose.
                if name != "br" && name != "hr" {
                    let (length, links) = count(node)
                    if length > 0 && Double(links) / Double(length) > 0.5 && !["p", "pre", "blockquote"].contains(name) { return }
                }
            }
            for child in node.childNodes { walk(child) }
            if block { flush() }
        }
        for node in nodes { walk(node) }
        flush()
        return out.joined(separator: "\n")
    }
}
