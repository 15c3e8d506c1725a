//! What the end-to-end tests share beyond the two products' harnesses.

/// Asserts a finished command succeeded (printing its output if not) and returns its stdout.
pub fn succeeded(o: std::process::Output, what: &str) -> String {
    assert!(
        o.status.success(),
        "{what}: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}
