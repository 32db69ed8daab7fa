//! Group commit: writes that arrive while one is being stored wait together and are stored
//! next as one batch (one transaction, one fsync or one hold of the log's lock), each answered
//! once its batch is durable. Both stores keep their chat messages this way.
//!
//! The batches are stored by a task of their own rather than by whichever request comes
//! first: a request whose client goes away is dropped by the HTTP server, and if it were the
//! one storing a batch, the other messages of that batch would be cut off mid-commit.

use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures::FutureExt;
use tokio::sync::{mpsc, oneshot};

/// The most items one batch stores.
const MOST_PER_BATCH: usize = 512;
/// How many items may wait for the task; past it, submitting waits for room.
const WAITING: usize = 4096;

type Waiting<T, A, E> = (T, oneshot::Sender<Result<A, E>>);

/// The task stopped before answering: it was shut down, or storing a batch panicked.
#[derive(Debug)]
pub struct Ended;

/// A handle on the task that stores items in batches.
pub struct GroupCommit<T, A, E> {
    sender: mpsc::Sender<Waiting<T, A, E>>,
}

impl<T, A, E> GroupCommit<T, A, E>
where
    T: Send + 'static,
    A: Send + 'static,
    E: Clone + From<Ended> + Send + 'static,
{
    /// Starts the task. `store` stores a batch in the order given and returns one answer per
    /// item, in that order; an error answers every item of the batch. The task runs until
    /// the handle is dropped.
    pub fn start<F, Fut>(mut store: F) -> Self
    where
        F: FnMut(Vec<T>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Vec<A>, E>> + Send,
    {
        let (sender, mut receiver) = mpsc::channel::<Waiting<T, A, E>>(WAITING);
        tokio::spawn(async move {
            let mut waiting = Vec::with_capacity(MOST_PER_BATCH);
            while receiver.recv_many(&mut waiting, MOST_PER_BATCH).await > 0 {
                let (items, answers): (Vec<_>, Vec<_>) = waiting.drain(..).unzip();
                // A panic answers this batch with `Ended` (its senders are dropped) and the
                // task goes on with the next.
                match AssertUnwindSafe(store(items)).catch_unwind().await {
                    Ok(Ok(stored)) => {
                        for (value, answer) in stored.into_iter().zip(answers) {
                            let _ = answer.send(Ok(value));
                        }
                    }
                    Ok(Err(e)) => {
                        for answer in answers {
                            let _ = answer.send(Err(e.clone()));
                        }
                    }
                    Err(_) => {}
                }
            }
        });
        GroupCommit { sender }
    }

    /// Stores `item` with whatever else is waiting and returns its answer.
    pub async fn submit(&self, item: T) -> Result<A, E> {
        let (answer, answered) = oneshot::channel();
        self.sender
            .send((item, answer))
            .await
            .map_err(|_| E::from(Ended))?;
        answered.await.map_err(|_| E::from(Ended))?
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    #[derive(Clone, Debug, PartialEq)]
    enum Failed {
        Refused,
        Ended,
    }

    impl From<Ended> for Failed {
        fn from(_: Ended) -> Self {
            Failed::Ended
        }
    }

    #[tokio::test]
    async fn items_submitted_together_are_stored_together_each_with_its_answer() {
        let batches = Arc::new(Mutex::new(Vec::new()));
        let seen = batches.clone();
        let commit = GroupCommit::start(move |items: Vec<u32>| {
            seen.lock().unwrap().push(items.len());
            async move { Ok::<_, Failed>(items.into_iter().map(|n| n * 10).collect()) }
        });
        let answers = futures::future::join_all((1..=20).map(|n| commit.submit(n))).await;
        assert_eq!(
            answers,
            (1..=20).map(|n| Ok(n * 10)).collect::<Vec<_>>(),
            "each item gets its own answer"
        );
        let batches = batches.lock().unwrap();
        assert_eq!(batches.iter().sum::<usize>(), 20);
        assert!(batches.len() < 20, "some items shared a batch: {batches:?}");
    }

    #[tokio::test]
    async fn an_error_answers_its_batch_and_a_panic_does_not_stop_the_task() {
        let commit = GroupCommit::start(|items: Vec<u32>| async move {
            match items[0] {
                0 => Err(Failed::Refused),
                1 => panic!("storing failed"),
                _ => Ok(items),
            }
        });
        assert_eq!(commit.submit(0).await, Err(Failed::Refused));
        assert_eq!(commit.submit(1).await, Err(Failed::Ended));
        assert_eq!(commit.submit(2).await, Ok(2));
    }
}
