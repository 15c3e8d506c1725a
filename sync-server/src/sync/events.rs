//! The till's notification stream: `changed` (pull now) whenever data for its store may be
//! waiting, as the NOTIFY relay (`notify`) fans head office's changes out.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::{Stream, StreamExt};
use tokio_stream::wrappers::BroadcastStream;

use crate::device::Device;
use crate::AppState;

/// Server-sent events for a till: `changed` whenever data for its store may be waiting.
#[utoipa::path(get, path = "/sync/events", tag = "sync", responses((status = 200, description = "text/event-stream")))]
pub async fn events(
    State(state): State<AppState>,
    device: Device,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let store = device.location_id;
    let stream = BroadcastStream::new(state.notifier.subscribe()).filter_map(move |m| async move {
        match m {
            Ok(Some(l)) if l != store => None,
            // A lagged receiver missed messages: tell the till to pull anyway.
            _ => Some(Ok(Event::default().event("changed").data("pull"))),
        }
    });
    let hello =
        futures_util::stream::once(async { Ok(Event::default().event("changed").data("pull")) });
    Sse::new(hello.chain(stream)).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
