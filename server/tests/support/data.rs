//! The data the tests write, and checks on what came back.

use std::collections::HashMap;
use std::path::Path;

use serde_json::{json, Value};

/// A valid product, distinguished by `n`.
pub fn product(n: usize) -> Value {
    json!({
        "title": format!("Producto {n}"),
        "description": format!("Descripción {n}"),
        "code": format!("P-{n:04}"),
        "price": 10.5 + n as f64,
        "stock": n,
        "category": "pruebas",
        "thumbnails": [format!("https://example.com/{n}.png")]
    })
}

/// POSTs `body`; what the server acknowledged with a 201, else `None` (the server was killed
/// mid-request, say).
pub async fn acknowledged(http: &reqwest::Client, url: &str, body: &Value) -> Option<Value> {
    let response = http.post(url).json(body).send().await.ok()?;
    if response.status() != 201 {
        return None;
    }
    response.json().await.ok()
}

/// A JSON array of objects with an `id`, keyed by id.
pub fn by_id(list: &Value) -> HashMap<u64, Value> {
    list.as_array()
        .expect("a JSON array")
        .iter()
        .map(|item| (item["id"].as_u64().expect("an id"), item.clone()))
        .collect()
}

/// Every item a client was told is stored (201) is stored, exactly as acknowledged.
pub fn assert_all_kept(acknowledged: &[Value], stored: &HashMap<u64, Value>, what: &str) {
    for item in acknowledged {
        let id = item["id"].as_u64().unwrap();
        assert_eq!(
            stored.get(&id),
            Some(item),
            "acknowledged {what} {id} lost or changed"
        );
    }
}

/// Waits for writer tasks, each returning the products and the messages acknowledged to it,
/// and puts their lists together.
pub async fn gather_writers(
    writers: Vec<tokio::task::JoinHandle<(Vec<Value>, Vec<Value>)>>,
) -> (Vec<Value>, Vec<Value>) {
    let (mut made, mut said) = (Vec::new(), Vec::new());
    for writer in writers {
        let (m, s) = writer.await.unwrap();
        made.extend(m);
        said.extend(s);
    }
    (made, said)
}

/// Lines of a file, for checks on what is on disk.
pub fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// A count the test waits on: writers add to it as their writes are acknowledged, and the test
/// goes on once it reaches a number (an event, rather than a guess at how long that takes).
#[derive(Clone, Default)]
pub struct Progress(std::sync::Arc<tokio::sync::watch::Sender<usize>>);

impl Progress {
    pub fn add(&self, done: usize) {
        self.0.send_modify(|count| *count += done);
    }

    /// Returns once the count is at least `count`; fails the test after 30 s.
    pub async fn reached(&self, count: usize) {
        let mut seen = self.0.subscribe();
        let waited = tokio::time::timeout(
            std::time::Duration::from_secs(30),
            seen.wait_for(|done| *done >= count),
        )
        .await
        .map(|reached| reached.map(drop));
        match waited {
            Ok(reached) => reached.expect("the count lives"),
            Err(_) => panic!("{count} writes not done in 30 s: {}", *self.0.borrow()),
        }
    }
}
