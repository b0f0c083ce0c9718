//! The HTTP server: our own accept loop over hyper, so that a handler can drop its connection
//! without answering (scenario 56), and so that shutdown closes every connection at once.

use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;
use tower::Service;

/// Handed to every request (as an extension): closes the request's TCP connection without
/// writing a response.
#[derive(Debug, Clone)]
pub(crate) struct ConnectionKill(Arc<Notify>);

impl ConnectionKill {
    /// Closes the connection; the handler should not return afterwards.
    pub(crate) fn kill(&self) {
        self.0.notify_one();
    }
}

/// Serves `router` on `listener` (over TLS when `tls` is given) until `shutdown` turns true,
/// then drops every connection.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    break;
                }
            }
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(accept_connection(stream, router.clone(), tls.clone()));
                }
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    log::warn!("sandbox: accept failed: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.abort_all();
    while connections.join_next().await.is_some() {}
}

async fn accept_connection(
    stream: TcpStream,
    router: Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
) {
    let _ = stream.set_nodelay(true);
    match tls {
        None => serve_connection(stream, router).await,
        // The handshake runs in the connection's own task: a slow client holds up nobody.
        Some(acceptor) => match acceptor.accept(stream).await {
            Ok(tls_stream) => serve_connection(tls_stream, router).await,
            Err(e) => log::debug!("sandbox: TLS handshake failed: {e}"),
        },
    }
}

async fn serve_connection<S>(stream: S, router: Router)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let notify = Arc::new(Notify::new());
    let kill = ConnectionKill(notify.clone());
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(kill.clone());
        let mut router = router.clone();
        async move {
            let req: Request = req.map(axum::body::Body::new);
            let response = router.call(req).await;
            Ok::<_, Infallible>(response.unwrap_or_else(|never| match never {}))
        }
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        result = connection => {
            if let Err(e) = result {
                log::debug!("sandbox: connection ended: {e}");
            }
        }
        // Dropping the connection future closes the socket with nothing written.
        () = notify.notified() => {}
    }
}
