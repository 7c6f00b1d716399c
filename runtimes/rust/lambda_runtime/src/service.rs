//! The `Service` trait and `service_fn` with tower's call shape (Debian ships no tower): a function's
//! `run(service_fn(handler))`, and a hand-written `impl Service<LambdaEvent<T>>`, compile as they do
//! against AWS's crate.

use std::future::Future;
use std::task::{Context, Poll};

/// An asynchronous function from a request to a response, as in tower.
pub trait Service<Request> {
    type Response;
    type Error;
    type Future: Future<Output = Result<Self::Response, Self::Error>>;

    /// Whether the service can take a request now; `run` waits for it before every call.
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>>;

    fn call(&mut self, req: Request) -> Self::Future;
}

impl<S, Request> Service<Request> for &mut S
where
    S: Service<Request> + ?Sized,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        (**self).poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> S::Future {
        (**self).call(req)
    }
}

impl<S, Request> Service<Request> for Box<S>
where
    S: Service<Request> + ?Sized,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        (**self).poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> S::Future {
        (**self).call(req)
    }
}

/// A [`Service`] made from an async function or a closure returning a future; see [`service_fn`].
#[derive(Clone, Copy, Debug)]
pub struct ServiceFn<T> {
    f: T,
}

/// Turns `async fn handler(event: LambdaEvent<T>) -> Result<R, E>` (or a closure returning such a
/// future) into a [`Service`].
pub fn service_fn<T>(f: T) -> ServiceFn<T> {
    ServiceFn { f }
}

impl<T, F, Request, R, E> Service<Request> for ServiceFn<T>
where
    T: FnMut(Request) -> F,
    F: Future<Output = Result<R, E>>,
{
    type Response = R;
    type Error = E;
    type Future = F;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), E>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request) -> F {
        (self.f)(req)
    }
}
