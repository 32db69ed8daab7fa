//! The live list's state as a plain reducer: which products are on screen (a window of pages
//! of the catalog or of a search), how many there are, the open edit form, and the add form's
//! request in flight. [`LiveList::apply`] takes one [`Event`] (a socket frame, a page fetched
//! over HTTP, something the person did) and says what changed; the island turns that into
//! signals, fetches and notices. No signal lives here, so every rule is tested without a
//! browser or a reactive owner.
//!
//! The window: `rows` are the products matching `query` with an id above `after`, ascending,
//! as far as they have been fetched (`complete` when they reach the last one). Scrolling on
//! fetches the next page; past [`MAX_ROWS`] the first page goes (and `earlier` remembers where
//! it began, to fetch it back), so the page never holds more than a few hundred cards however
//! far one scrolls through 100,000 products.
//!
//! Events and fetched pages cross: a page read at change `seq` already holds every event up to
//! `seq`. While a fetch is out, events are applied at once (so the rows on screen stay live)
//! and kept; when the page arrives its total replaces the count and the kept events newer than
//! the page are applied again, which is harmless for the rows (each is applied by id) and makes
//! the count exact.
//!
//! What was just added: a product added while the page is open (by anyone, any way) would
//! join the end of a catalog whose window shows only its first pages, so it is also kept in
//! `fresh`, newest first, and shown above the window marked "Nuevo" (when it matches the
//! search), whatever window is shown, until the page is reloaded. A product is drawn once:
//! when the window holds it too, it shows only at the top.

use super::editing::{Editing, Outcome};
use crate::domain::notices;
use crate::domain::search::Query;
use crate::domain::{FieldErrors, Product, ProductChanges, ProductId};
use crate::pages::PageNotice;
use crate::protocol::paging::LIVE_PAGE;
use crate::protocol::{ErrorFrame, ProductEvent};

/// The most rows on screen: four pages.
pub const MAX_ROWS: usize = 4 * LIVE_PAGE;

/// Events kept while a fetch is out; beyond, the fetch is asked again when it arrives.
const KEPT_MAX: usize = 1_000;

/// The most products kept as just added: a page's worth (a small import's creations fit; a
/// large one comes as a snapshot and adds none).
pub const FRESH_MAX: usize = LIVE_PAGE;

/// A product on screen, with a revision that changes when its card must be drawn again.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub revision: u64,
    pub product: Product,
}

/// A page asked of `GET /api/products`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetch {
    pub query: String,
    pub after: ProductId,
    pub limit: usize,
    pub kind: FetchKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FetchKind {
    /// The first page of a new search: replaces the rows.
    First,
    /// The page after the last row.
    Next,
    /// The page before the first row (dropped earlier).
    Previous,
    /// The rows on screen again, after the socket lost track (a snapshot while scrolled or
    /// searching).
    Refresh,
}

/// What happened.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// A frame of `/ws/products`.
    Socket(ProductEvent),
    /// The answer to `fetch`: its products, how many match, the change it was read at.
    Page {
        fetch: Fetch,
        products: Vec<Product>,
        total: u64,
        seq: u64,
    },
    /// `fetch` failed (offline, server error): it may be asked again.
    FetchFailed(Fetch),
    /// What is typed in the search box (debounced).
    Search(String),
    /// Scrolled to the end of the rows, or "Mostrar más".
    More,
    /// "Mostrar anteriores".
    Earlier,
    /// The add form sent a product with this `ref` and code.
    AddSent { reference: String, code: String },
    /// "Editar" on a card.
    Open(ProductId),
    /// The edit form closed ("Cancelar").
    Close,
    /// The edit form sent its save.
    Saving {
        reference: String,
        changes: ProductChanges,
    },
    /// The edit form's own check (or the connection) refused the save.
    Unsaved {
        problem: String,
        fields: FieldErrors,
    },
    /// "Cargar los datos actuales" after someone else's change.
    Reload,
}

/// What an [`Event`] changed, for the island to show.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Changed {
    pub rows: bool,
    pub count: bool,
    pub editing: bool,
    /// The add form's product arrived: empty the form.
    pub added: bool,
    pub notice: Option<PageNotice>,
    /// Errors of the add form's fields, from the server.
    pub add_errors: Option<FieldErrors>,
    /// A page to fetch now.
    pub fetch: Option<Fetch>,
    /// A row on screen before and after a page came and others went: it should stay where it
    /// is on the screen (rows dropped or added above it must not move what one is reading).
    pub anchor: Option<ProductId>,
}

/// How many products the list has, for the line above it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Count {
    pub total: u64,
    pub query: String,
    /// A search's first page has not arrived yet.
    pub searching: bool,
}

/// The add form's request in flight.
#[derive(Clone, Debug, PartialEq)]
struct PendingAdd {
    reference: String,
    code: String,
}

#[derive(Clone, Debug, Default)]
pub struct LiveList {
    query: String,
    matcher: Query,
    rows: Vec<Row>,
    /// Products added while the page is open, newest first (at most [`FRESH_MAX`]), whether
    /// or not they match the search: the search decides which are shown.
    fresh: Vec<Row>,
    after: ProductId,
    /// Where each dropped run of rows began (its `after`) and how many it held.
    earlier: Vec<(ProductId, usize)>,
    complete: bool,
    total: u64,
    revision: u64,
    editing: Option<Editing>,
    pending_add: Option<PendingAdd>,
    fetching: Option<Fetch>,
    /// Events that arrived while `fetching` was out.
    kept: Vec<ProductEvent>,
}

impl LiveList {
    /// The list as the server rendered it: a page of the catalog (the products after id
    /// `after`: 0 for the top, or just before a product whose edit form the link opens), and
    /// how many there are in all.
    pub fn new(first_page: Vec<Product>, total: u64, after: ProductId) -> Self {
        let complete = first_page.len() < LIVE_PAGE || first_page.len() as u64 >= total;
        let mut list = LiveList {
            complete,
            total,
            after,
            ..LiveList::default()
        };
        for product in first_page {
            let row = list.row(product);
            list.rows.push(row);
        }
        list
    }

    pub fn count(&self) -> Count {
        Count {
            total: self.total,
            query: self.query.clone(),
            searching: self.is_loading(FetchKind::First),
        }
    }

    pub fn editing(&self) -> Option<&Editing> {
        self.editing.as_ref()
    }

    /// Whether more rows follow the last one shown.
    pub fn has_more(&self) -> bool {
        !self.complete
    }

    /// Whether rows before the first one shown were dropped (or belong to a search scrolled
    /// past them).
    pub fn has_earlier(&self) -> bool {
        self.after > 0
    }

    pub fn get(&self, id: ProductId) -> Option<&Product> {
        self.fresh_row(id)
            .or_else(|| self.position(id).ok().map(|at| &self.rows[at]))
            .map(|row| &row.product)
    }

    pub fn apply(&mut self, event: Event) -> Changed {
        let mut changed = Changed::default();
        match event {
            Event::Socket(event) => self.socket(event, &mut changed),
            Event::Page {
                fetch,
                products,
                total,
                seq,
            } => self.page(fetch, products, total, seq, &mut changed),
            Event::FetchFailed(fetch) => {
                if self.fetching.as_ref() == Some(&fetch) {
                    self.fetching = None;
                    self.kept.clear();
                    if fetch.kind == FetchKind::First {
                        // Not the old search's rows under the new search: nothing, and
                        // "Mostrar más" to try again.
                        self.rows.clear();
                        self.complete = false;
                        changed.rows = true;
                    }
                    changed.count = true;
                    changed.notice = Some(PageNotice::Error(
                        "No se pudieron cargar los productos: intentá de nuevo".into(),
                    ));
                }
            }
            Event::Search(text) => self.search(text, &mut changed),
            Event::More => {
                if !self.complete && self.fetching.is_none() {
                    let after = self.rows.last().map_or(self.after, |r| r.product.id);
                    changed.fetch = self.ask(after, LIVE_PAGE, FetchKind::Next);
                }
            }
            Event::Earlier => {
                if self.after > 0 && self.fetching.is_none() {
                    changed.fetch = match self.earlier.last().copied() {
                        // The rows dropped there, and some to spare for products that came
                        // to match the search meanwhile.
                        Some((after, dropped)) => {
                            let limit = (dropped + LIVE_PAGE / 2).min(MAX_ROWS);
                            self.ask(after, limit, FetchKind::Previous)
                        }
                        // The page started further down (a link to a product's edit form):
                        // what lies before is not known to be one page, so back to the top.
                        None => self.ask(0, LIVE_PAGE, FetchKind::First),
                    };
                }
            }
            Event::AddSent { reference, code } => {
                self.pending_add = Some(PendingAdd { reference, code })
            }
            Event::Open(id) => {
                if let Some(product) = self.get(id).cloned() {
                    self.close(&mut changed);
                    self.editing = Some(Editing::new(product));
                    changed.editing = true;
                    changed.rows = true;
                }
            }
            Event::Close => self.close(&mut changed),
            Event::Saving { reference, changes } => {
                if let Some(editing) = &mut self.editing {
                    editing.sent(reference, changes);
                    changed.editing = true;
                }
            }
            Event::Unsaved { problem, fields } => {
                if let Some(editing) = &mut self.editing {
                    editing.invalid(problem, fields);
                    changed.editing = true;
                }
            }
            Event::Reload => {
                if let Some(editing) = &mut self.editing {
                    editing.reload();
                    changed.editing = true;
                }
            }
        }
        changed
    }

    fn socket(&mut self, event: ProductEvent, changed: &mut Changed) {
        match event {
            ProductEvent::Snapshot {
                products, total, ..
            } => self.snapshot(products, total, changed),
            ProductEvent::Added { ref product, .. } => {
                let mine = self
                    .pending_add
                    .as_ref()
                    .is_some_and(|p| p.code == product.code);
                if mine {
                    self.pending_add = None;
                    changed.added = true;
                    changed.notice = Some(PageNotice::Ok(notices::added(&product.title)));
                }
                self.change(&event, changed);
                self.fresh_change(event, changed);
            }
            ProductEvent::Updated { ref product, .. } => {
                self.tell_editor(Some(product), product.id, changed);
                self.change(&event, changed);
                self.fresh_change(event, changed);
            }
            ProductEvent::Removed { id, .. } => {
                self.tell_editor(None, id, changed);
                self.change(&event, changed);
                self.fresh_change(event, changed);
            }
            // What was missed follows as ordinary events.
            ProductEvent::Resume { .. } => {}
            ProductEvent::Error(error) => self.refused(error, changed),
        }
    }

    /// What a change of the open form's product means for the form.
    fn tell_editor(&mut self, now: Option<&Product>, id: ProductId, changed: &mut Changed) {
        let Some(editing) = self.editing.as_mut().filter(|e| e.id() == id) else {
            return;
        };
        let outcome = match now {
            Some(product) => editing.arrived(product),
            None => editing.removed(),
        };
        changed.editing = true;
        if outcome == Outcome::Saved {
            if let Some(product) = now {
                changed.notice = Some(PageNotice::Ok(notices::updated(&product.title)));
            }
            self.close(changed);
        }
    }

    /// An error frame: the add form's, the edit form's, or the page's.
    fn refused(&mut self, error: ErrorFrame, changed: &mut Changed) {
        let for_add = self
            .pending_add
            .as_ref()
            .is_some_and(|p| Some(&p.reference) == error.reference.as_ref());
        if for_add {
            self.pending_add = None;
            changed.add_errors = Some(error.fields);
            changed.notice = Some(PageNotice::Error(error.message));
            return;
        }
        let for_editor = self.editing.as_mut().is_some_and(|open| {
            open.refused(
                error.reference.as_ref(),
                error.message.clone(),
                error.fields.clone(),
            )
        });
        if for_editor {
            changed.editing = true;
        } else {
            changed.notice = Some(PageNotice::Error(error.message));
        }
    }

    /// Closes the edit form; its row is drawn again as the product is now, or goes if the
    /// product was removed (or no longer matches the search) meanwhile.
    fn close(&mut self, changed: &mut Changed) {
        let Some(editing) = self.editing.take() else {
            return;
        };
        changed.editing = true;
        changed.rows = true;
        self.redraw_fresh(editing.id());
        let Ok(at) = self.position(editing.id()) else {
            return;
        };
        let gone = editing.conflict == Some(super::editing::Conflict::Removed)
            || !self.matcher.matches(&self.rows[at].product);
        if gone {
            self.rows.remove(at);
        } else {
            self.rows[at].revision = self.next_revision();
        }
    }
}

mod fresh;
mod window;

#[cfg(test)]
mod fresh_tests;
#[cfg(test)]
mod tests;
