//! How WebKitGTK draws the window on Linux. The desk is text, lists and forms
//! with no animation a GPU would help; WebKitGTK's GL compositing, on the
//! software GL of virtual machines, remote desktops and Xvfb, costs 50–90 ms a
//! frame, which alone broke the 100 ms goal for opening a story (measured with
//! `tests/e2e/bench-window.mjs`: median 109–123 ms with it, 65 ms without).
//! So compositing is off unless the user asks for it with
//! `BEATDESK_GPU_COMPOSITING=1`, and a `WEBKIT_DISABLE_COMPOSITING_MODE` already
//! set by the user is left alone.

/// Decides the WebKit setting from the environment as given; `None` leaves it.
pub fn compositing_override(
    gpu_wanted: Option<&str>,
    user_setting: Option<&str>,
) -> Option<&'static str> {
    if user_setting.is_some() || gpu_wanted.is_some_and(|v| v == "1") {
        return None;
    }
    Some("1")
}

/// Applies the setting. Call first thing in `main`, before any thread starts.
pub fn configure() {
    if !cfg!(target_os = "linux") {
        return;
    }
    let gpu = std::env::var("BEATDESK_GPU_COMPOSITING").ok();
    let user = std::env::var("WEBKIT_DISABLE_COMPOSITING_MODE").ok();
    if let Some(v) = compositing_override(gpu.as_deref(), user.as_deref()) {
        // Single-threaded still: nothing else reads the environment yet.
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", v);
    }
}

#[cfg(test)]
mod tests {
    use super::compositing_override;

    #[test]
    fn compositing_is_off_unless_asked_for_and_a_users_setting_wins() {
        assert_eq!(compositing_override(None, None), Some("1"));
        assert_eq!(
            compositing_override(Some("1"), None),
            None,
            "BEATDESK_GPU_COMPOSITING=1 keeps GL"
        );
        assert_eq!(compositing_override(Some("0"), None), Some("1"));
        assert_eq!(
            compositing_override(None, Some("0")),
            None,
            "the user's own WebKit setting is kept"
        );
    }
}
