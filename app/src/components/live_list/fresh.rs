//! What was just added: the products added while the page is open, shown above the window
//! marked "Nuevo" (the rules are in the parent module's note).

use super::{Changed, LiveList, Row, FRESH_MAX};
use crate::components::editing::Editing;
use crate::domain::ProductId;
use crate::protocol::ProductEvent;

impl LiveList {
    /// The products just added that the search shows, newest first.
    pub fn fresh(&self) -> Vec<&Row> {
        self.fresh
            .iter()
            .filter(|row| self.matcher.matches(&row.product))
            .collect()
    }

    /// The window's rows, less those shown as just added: each product is drawn once.
    pub fn window(&self) -> Vec<&Row> {
        let fresh = self.fresh();
        self.rows
            .iter()
            .filter(|row| !fresh.iter().any(|f| f.product.id == row.product.id))
            .collect()
    }

    pub(super) fn fresh_row(&self, id: ProductId) -> Option<&Row> {
        self.fresh.iter().find(|row| row.product.id == id)
    }

    /// A change event, for the products just added: an addition joins them (once), an update
    /// is drawn again (not under the person editing it), a removal leaves.
    pub(super) fn fresh_change(&mut self, event: ProductEvent, changed: &mut Changed) {
        let open = self.editing.as_ref().map(Editing::id);
        let (id, now, added) = match event {
            ProductEvent::Added { product, .. } => (product.id, Some(product), true),
            ProductEvent::Updated { product, .. } => (product.id, Some(product), false),
            ProductEvent::Removed { id, .. } => (id, None, false),
            _ => return,
        };
        let at = self.fresh.iter().position(|row| row.product.id == id);
        match (at, now) {
            (None, Some(product)) if added => {
                let row = self.row(product);
                self.fresh.insert(0, row);
                self.fresh.truncate(FRESH_MAX);
            }
            (Some(at), Some(product)) => {
                if open != Some(id) {
                    self.fresh[at].revision = self.next_revision();
                }
                self.fresh[at].product = product;
            }
            (Some(at), None) => {
                self.fresh.remove(at);
            }
            _ => return,
        }
        changed.rows = true;
    }

    /// A snapshot means the socket lost track of the changes: what was added meanwhile is not
    /// known, and what is kept may be stale, so the marks go and each product shows where the
    /// catalog has it.
    pub(super) fn forget_fresh(&mut self, changed: &mut Changed) {
        if !self.fresh.is_empty() {
            self.fresh.clear();
            changed.rows = true;
        }
    }

    /// Draws product `id` again when it is among the products just added (its edit form
    /// closed).
    pub(super) fn redraw_fresh(&mut self, id: ProductId) {
        if let Some(at) = self.fresh.iter().position(|row| row.product.id == id) {
            self.fresh[at].revision = self.next_revision();
        }
    }
}
