/// The version of the Quickstep engine, as `quickstep --version` prints it.
public enum QuickstepVersion {
    public static let current = "0.1.0"
}
