import CXML
import Glibc

/// Cleans HTML from feeds into a safe subset: elements are kept without attributes (so no
/// scripts, event handlers or `javascript:` links survive), the contents of script, style,
/// applet, object and similar elements are dropped, and text is re-escaped.
public enum HTMLSanitizer {
    /// Elements dropped with everything inside them; other elements lose only their attributes.
    static let dropped: Set<String> = ["script", "style", "applet", "template"]
    static let void: Set<String> = ["br", "hr", "img", "area", "col", "wbr", "input", "param", "source", "track"]

    /// The cleaned HTML. Text without markup comes back unchanged.
    public static func clean(_ html: String) -> String {
        guard html.utf8.contains(0x3C) || html.utf8.contains(0x26) else { return html }
        guard let document = XMLDocument(html: Array(html.utf8), url: nil), let root = document.root else { return escape(html) }
        var out: [UInt8] = []
        out.reserveCapacity(html.utf8.count)
        func walk(_ node: XMLNode) {
            if node.isText {
                if let content = node.pointer.pointee.content {
                    appendEscaped(UnsafeBufferPointer(start: content, count: strlen(content)), to: &out)
                }
                return
            }
            guard node.isElement else { return }
            let name = node.name
            if dropped.contains(name) { return }
            let wrapper = name == "html" || name == "body"
            if !wrapper {
                out.append(0x3C)
                out += name.utf8
                out.append(0x3E)
            }
            var child = node.pointer.pointee.children
            while let next = child {
                walk(XMLNode(pointer: next))
                child = next.pointee.next
            }
            if !wrapper && !void.contains(name) {
                out += [0x3C, 0x2F]
                out += name.utf8
                out.append(0x3E)
            }
        }
        walk(root)
        return String(decoding: out, as: UTF8.self)
    }

    /// `&`, `<` and `>` as entities; everything else as it is.
    static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E }) else { return text }
        var out: [UInt8] = []
        var text = text
        text.withUTF8 { appendEscaped($0, to: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var runStart = 0
        for index in 0..<bytes.count {
            let replacement: [UInt8]
            switch bytes[index] {
            case 0x26: replacement = amp
            case 0x3C: replacement = lt
            case 0x3E: replacement = gt
            default: continue
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
            out.append(contentsOf: replacement)
            runStart = index + 1
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
    }

    private static let amp = Array("&amp;".utf8), lt = Array("&lt;".utf8), gt = Array("&gt;".utf8)
}
