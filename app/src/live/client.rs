//! The browser's end: one WebSocket per tab, shared by every island on the page. Islands say
//! what they follow (`follow`) and get every server frame; the connection reconnects with
//! exponential backoff (0.5 s doubling to 30 s, with jitter), sends the subscriptions again, and
//! tells the islands `Reconnected` so they fetch what they missed.
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use futures::channel::mpsc::{UnboundedSender, unbounded};
use futures::{SinkExt, StreamExt};
use gloo_net::websocket::Message;
use gloo_net::websocket::futures::WebSocket;

use super::model::{ClientFrame, ServerFrame};

/// What an island hears.
#[derive(Debug, Clone)]
pub enum Incoming {
    Frame(ServerFrame),
    /// The connection came back after a drop: state may have changed meanwhile.
    Reconnected,
    /// The connection dropped; it is being re-established.
    Disconnected,
}

type Listener = Rc<dyn Fn(&Incoming)>;

#[derive(Default)]
struct Live {
    out: RefCell<Option<UnboundedSender<String>>>,
    /// Frames that set up the connection's state (subscriptions, the booth entered), sent again
    /// after every reconnect.
    standing: RefCell<Vec<ClientFrame>>,
    listeners: RefCell<Vec<Listener>>,
    started: Cell<bool>,
    failures: Cell<u32>,
    connected_once: Cell<bool>,
}

thread_local! {
    static LIVE: Rc<Live> = Rc::new(Live::default());
}

fn url() -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" { "wss" } else { "ws" };
    Some(format!("{scheme}://{}/live", location.host().ok()?))
}

fn encode(frame: &ClientFrame) -> Option<String> {
    serde_json::to_string(frame).ok()
}

/// Follows `standing` (subscriptions, entering a booth) for the life of the page and calls `on`
/// with everything the server sends. Opens the tab's connection on first use.
pub fn follow(standing: Vec<ClientFrame>, on: impl Fn(&Incoming) + 'static) {
    LIVE.with(|live| {
        live.listeners.borrow_mut().push(Rc::new(on));
        for frame in standing {
            if let (Some(out), Some(text)) = (live.out.borrow().as_ref(), encode(&frame)) {
                let _ = out.unbounded_send(text);
            }
            live.standing.borrow_mut().push(frame);
        }
        if !live.started.replace(true) {
            run(live.clone());
        }
    });
}

/// Adds a frame to the standing ones (a conversation just opened) and sends it now.
pub fn keep(frame: ClientFrame) {
    LIVE.with(|live| {
        if let (Some(out), Some(text)) = (live.out.borrow().as_ref(), encode(&frame)) {
            let _ = out.unbounded_send(text);
        }
        live.standing.borrow_mut().push(frame);
    });
}

/// Sends a one-off frame (a chat message). False when the connection is down.
pub fn send(frame: &ClientFrame) -> bool {
    LIVE.with(|live| match (live.out.borrow().as_ref(), encode(frame)) {
        (Some(out), Some(text)) => out.unbounded_send(text).is_ok(),
        _ => false,
    })
}

fn dispatch(live: &Live, incoming: &Incoming) {
    let listeners: Vec<Listener> = live.listeners.borrow().clone();
    for l in listeners {
        l(incoming);
    }
}

async fn sleep(d: Duration) {
    let (tx, rx) = futures::channel::oneshot::channel::<()>();
    leptos::prelude::set_timeout(
        move || {
            let _ = tx.send(());
        },
        d,
    );
    let _ = rx.await;
}

fn backoff(failures: u32) -> Duration {
    let base = 500u64.saturating_mul(1 << failures.min(6)).min(30_000);
    let jitter = (js_sys::Math::random() * base as f64 * 0.3) as u64;
    Duration::from_millis(base + jitter)
}

fn run(live: Rc<Live>) {
    leptos::task::spawn_local(async move {
        loop {
            if let Some(ws) = url().and_then(|u| WebSocket::open(&u).ok()) {
                let (mut sink, mut stream) = ws.split();
                let (tx, mut rx) = unbounded::<String>();
                for frame in live.standing.borrow().iter() {
                    if let Some(text) = encode(frame) {
                        let _ = tx.unbounded_send(text);
                    }
                }
                *live.out.borrow_mut() = Some(tx);
                leptos::task::spawn_local(async move {
                    while let Some(text) = rx.next().await {
                        if sink.send(Message::Text(text)).await.is_err() {
                            break;
                        }
                    }
                    let _ = sink.close().await;
                });
                let mut opened = false;
                while let Some(Ok(message)) = stream.next().await {
                    if !opened {
                        opened = true;
                        live.failures.set(0);
                        if live.connected_once.replace(true) {
                            dispatch(&live, &Incoming::Reconnected);
                        }
                    }
                    if let Message::Text(text) = message
                        && let Ok(frame) = serde_json::from_str::<ServerFrame>(&text)
                    {
                        dispatch(&live, &Incoming::Frame(frame));
                    }
                }
                // Dropping the sender ends the writer task and closes the socket.
                live.out.borrow_mut().take();
                if opened {
                    dispatch(&live, &Incoming::Disconnected);
                }
            }
            let failures = live.failures.get();
            live.failures.set(failures.saturating_add(1));
            sleep(backoff(failures)).await;
        }
    });
}
