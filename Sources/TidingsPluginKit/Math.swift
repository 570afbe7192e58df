import Glibc

/// Mathematical functions for plugins, which import TidingsPluginKit and TidingsCore only
/// (not Glibc).
public enum Math {
    /// e raised to `x`.
    public static func exp(_ x: Double) -> Double { Glibc.exp(x) }
}
