/// The product's version, reported by `tidingsd --version`, `status` and the user agent.
public enum TidingsVersion {
    public static let string = "0.1.0"
}
