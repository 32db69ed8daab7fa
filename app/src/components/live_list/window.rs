//! The window of rows: which products the list shows, how a change, a snapshot or a fetched
//! page moves them, and what to fetch next (the rules are in the parent module's note).

use super::{Changed, Fetch, FetchKind, LiveList, Row, KEPT_MAX, MAX_ROWS};
use crate::components::editing::Editing;
use crate::domain::search::Query;
use crate::domain::{Product, ProductId};
use crate::protocol::paging::LIVE_PAGE;
use crate::protocol::ProductEvent;

impl LiveList {
    /// A change event: applied to the rows now, and kept if a fetch is out.
    pub(super) fn change(&mut self, event: &ProductEvent, changed: &mut Changed) {
        self.change_rows(event, changed);
        if self.fetching.is_some() {
            self.kept.push(event.clone());
        }
    }

    /// What a change does to the rows and the count. Applying it twice leaves the rows as
    /// once (see the module's note on crossing pages).
    pub(super) fn change_rows(&mut self, event: &ProductEvent, changed: &mut Changed) {
        let (id, now) = match event {
            ProductEvent::Added { product, .. } | ProductEvent::Updated { product, .. } => {
                (product.id, Some(product))
            }
            ProductEvent::Removed { id, .. } => (*id, None),
            _ => return,
        };
        let matches = now.is_some_and(|p| self.matcher.matches(p));
        let shown = self.position(id).is_ok();
        // Whether it matched before: known when it is shown (in the window or as just added),
        // or falls where rows are known.
        let added = matches!(event, ProductEvent::Added { .. });
        let fresh_match = !added
            && self
                .fresh_row(id)
                .is_some_and(|row| self.matcher.matches(&row.product));
        let matched = if shown || fresh_match {
            true
        } else if self.covers(id) {
            false
        } else if self.query.is_empty() {
            // Outside the rows, in a list of everything: it existed unless it is new.
            !added
        } else {
            // A search, beyond the rows: unknown; the count may drift until the next page.
            matches!(event, ProductEvent::Updated { .. }) && matches
        };
        if matches && !matched {
            self.total += 1;
            changed.count = true;
        } else if matched && !matches {
            self.total = self.total.saturating_sub(1);
            changed.count = true;
        }
        let open = self.editing.as_ref().map(Editing::id) == Some(id);
        match (now, matches) {
            (Some(product), true) if shown || self.covers(id) => {
                // The open form's row keeps its revision, so it is not drawn again under
                // the person typing; it is when the form closes.
                let revision = if open {
                    self.position(id).map_or(0, |at| self.rows[at].revision)
                } else {
                    self.next_revision()
                };
                let row = Row {
                    revision,
                    product: product.clone(),
                };
                match self.position(id) {
                    Ok(at) => self.rows[at] = row,
                    Err(at) => self.rows.insert(at, row),
                }
                changed.rows = true;
            }
            _ if shown && !open => {
                if let Ok(at) = self.position(id) {
                    self.rows.remove(at);
                }
                changed.rows = true;
            }
            _ => {}
        }
    }

    /// A snapshot: the socket's first page of the whole catalog (at its start, or when it
    /// lost track). It is the rows when they are that page; otherwise the rows on screen are
    /// fetched again.
    pub(super) fn snapshot(&mut self, products: Vec<Product>, total: u64, changed: &mut Changed) {
        self.forget_fresh(changed);
        if let Some(id) = self.editing.as_ref().map(Editing::id) {
            let now = products.iter().find(|p| p.id == id).cloned();
            let known = now.is_some() || products.len() as u64 >= total;
            if known {
                self.tell_editor(now.as_ref(), id, changed);
            }
        }
        if self.query.is_empty() && self.after == 0 && self.rows.len() <= products.len() {
            self.total = total;
            self.complete = products.len() as u64 >= total;
            let rows = products.into_iter().map(|p| self.keep_or_draw(p)).collect();
            self.replace_rows(rows);
            self.fetching = None;
            self.kept.clear();
            changed.rows = true;
            changed.count = true;
        } else {
            let limit = self.rows.len().clamp(LIVE_PAGE, MAX_ROWS);
            self.fetching = None;
            changed.fetch = self.ask(self.after, limit, FetchKind::Refresh);
        }
    }

    pub(super) fn page(
        &mut self,
        fetch: Fetch,
        products: Vec<Product>,
        total: u64,
        seq: u64,
        changed: &mut Changed,
    ) {
        if self.fetching.as_ref() != Some(&fetch) {
            return; // an answer to a search since replaced, or a fetch asked again
        }
        self.fetching = None;
        let kept = std::mem::take(&mut self.kept);
        if kept.len() > KEPT_MAX {
            changed.fetch = self.ask(fetch.after, fetch.limit, fetch.kind);
            return;
        }
        let full = products.len() >= fetch.limit;
        match fetch.kind {
            FetchKind::First | FetchKind::Refresh => {
                self.after = fetch.after;
                if fetch.kind == FetchKind::First {
                    self.earlier.clear();
                }
                let rows = products.into_iter().map(|p| self.keep_or_draw(p)).collect();
                self.replace_rows(rows);
                self.complete = !full;
            }
            FetchKind::Next => {
                changed.anchor = self.rows.last().map(|r| r.product.id);
                for product in products {
                    if let Err(at) = self.position(product.id) {
                        let row = self.row(product);
                        self.rows.insert(at, row);
                    }
                }
                self.complete = !full;
                if self.rows.len() > MAX_ROWS {
                    // Down to three pages, so the next one fits again.
                    let drop = self.rows.len() - (MAX_ROWS - LIVE_PAGE);
                    self.earlier.push((self.after, drop));
                    self.after = self.rows[drop - 1].product.id;
                    self.rows.drain(..drop);
                }
            }
            FetchKind::Previous => {
                changed.anchor = self.rows.first().map(|r| r.product.id);
                let before = self.after;
                self.after = self.earlier.pop().map_or(0, |(after, _)| after);
                for product in products.into_iter().filter(|p| p.id <= before) {
                    if let Err(at) = self.position(product.id) {
                        let row = self.row(product);
                        self.rows.insert(at, row);
                    }
                }
                if self.rows.len() > MAX_ROWS {
                    self.rows.truncate(MAX_ROWS - LIVE_PAGE);
                    self.complete = false;
                }
            }
        }
        self.total = total;
        changed.rows = true;
        changed.count = true;
        for event in kept.iter().filter(|e| e.seq().is_none_or(|s| s > seq)) {
            self.change_rows(event, changed);
        }
    }

    pub(super) fn search(&mut self, text: String, changed: &mut Changed) {
        if text.trim() == self.query {
            return;
        }
        self.query = text.trim().to_string();
        self.matcher = Query::new(&self.query);
        self.earlier.clear();
        self.after = 0;
        self.fetching = None;
        changed.fetch = self.ask(0, LIVE_PAGE, FetchKind::First);
        changed.count = true;
    }

    /// Notes `fetch` as the one out (replacing any other) and returns it.
    pub(super) fn ask(&mut self, after: ProductId, limit: usize, kind: FetchKind) -> Option<Fetch> {
        let fetch = Fetch {
            query: self.query.clone(),
            after,
            limit,
            kind,
        };
        self.kept.clear();
        self.fetching = Some(fetch.clone());
        Some(fetch)
    }

    pub(super) fn is_loading(&self, kind: FetchKind) -> bool {
        self.fetching.as_ref().is_some_and(|f| f.kind == kind)
    }

    /// A row for `product`: the one on screen if it is unchanged (so it is not drawn again),
    /// else a new revision.
    pub(super) fn keep_or_draw(&mut self, product: Product) -> Row {
        match self.position(product.id) {
            Ok(at) if self.rows[at].product == product => self.rows[at].clone(),
            _ => self.row(product),
        }
    }

    /// Replaces the rows, keeping the open form's row (as drawn) wherever it is.
    pub(super) fn replace_rows(&mut self, mut rows: Vec<Row>) {
        if let Some(id) = self.editing.as_ref().map(Editing::id) {
            if let Ok(at) = self.position(id) {
                let open = self.rows[at].clone();
                match rows.binary_search_by_key(&id, |r| r.product.id) {
                    Ok(i) => rows[i].revision = open.revision,
                    Err(i) => rows.insert(i, open),
                }
            }
        }
        self.rows = rows;
    }

    /// Whether `id` falls within what the rows cover: above `after`, and up to the last row
    /// (or anywhere beyond, when the rows reach the end).
    pub(super) fn covers(&self, id: ProductId) -> bool {
        let fetched = self
            .fetching
            .as_ref()
            .is_none_or(|f| f.kind != FetchKind::First);
        fetched
            && id > self.after
            && (self.complete || self.rows.last().is_some_and(|last| id <= last.product.id))
    }

    pub(super) fn position(&self, id: ProductId) -> Result<usize, usize> {
        self.rows.binary_search_by_key(&id, |r| r.product.id)
    }

    pub(super) fn next_revision(&mut self) -> u64 {
        self.revision += 1;
        self.revision
    }

    pub(super) fn row(&mut self, product: Product) -> Row {
        Row {
            revision: self.next_revision(),
            product,
        }
    }
}
