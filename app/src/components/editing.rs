//! An edit form's view of the world: the product as it was when the form opened (what the
//! update will say it expects), the save in flight, and what others did meanwhile. Pure state,
//! so the rules are tested without a browser.

use crate::domain::{FieldErrors, Product, ProductChanges};

/// An open edit form.
#[derive(Clone, Debug, PartialEq)]
pub struct Editing {
    /// The product as the form showed it when it opened (or was last reloaded).
    pub original: Product,
    /// Changes when the form is reloaded with newer data, so it is drawn afresh.
    pub version: u64,
    /// The save in flight, if any.
    pub pending: Option<Pending>,
    /// Someone else changed or deleted the product since the form opened.
    pub conflict: Option<Conflict>,
    /// Why the last save was refused (by the browser's check or by the server).
    pub problem: Option<String>,
    /// The fields at fault, shown next to each.
    pub fields: FieldErrors,
}

/// A sent update: its `ref`, and the product it makes if nobody else got there first.
#[derive(Clone, Debug, PartialEq)]
pub struct Pending {
    pub reference: String,
    pub result: Product,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Conflict {
    /// Changed by someone else; this is how it is now.
    Changed(Product),
    Removed,
}

/// What an event means for the form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing the form must show.
    Unchanged,
    /// The form's own save arrived: it can close.
    Saved,
    /// Someone else changed or removed the product: the form says so.
    Conflicted,
}

impl Editing {
    pub fn new(original: Product) -> Self {
        Editing {
            original,
            version: 0,
            pending: None,
            conflict: None,
            problem: None,
            fields: FieldErrors::new(),
        }
    }

    pub fn id(&self) -> u64 {
        self.original.id
    }

    /// Records a save of `changes` sent with `reference`.
    pub fn sent(&mut self, reference: String, changes: ProductChanges) {
        let mut result = self.original.clone();
        changes.apply_to(&mut result);
        self.pending = Some(Pending { reference, result });
        self.problem = None;
        self.fields.clear();
    }

    /// The form's own check refused what was typed.
    pub fn invalid(&mut self, problem: String, fields: FieldErrors) {
        self.problem = Some(problem);
        self.fields = fields;
    }

    /// The product as it is now arrived (an `updated` event, or a snapshot).
    pub fn arrived(&mut self, now: &Product) -> Outcome {
        if self.pending.as_ref().is_some_and(|p| p.result == *now) {
            return Outcome::Saved;
        }
        if *now == self.original || self.conflict == Some(Conflict::Changed(now.clone())) {
            return Outcome::Unchanged;
        }
        self.conflict = Some(Conflict::Changed(now.clone()));
        Outcome::Conflicted
    }

    /// The product was removed.
    pub fn removed(&mut self) -> Outcome {
        self.pending = None;
        self.conflict = Some(Conflict::Removed);
        Outcome::Conflicted
    }

    /// The server refused the save with `reference`; `false` if it was not this form's.
    pub fn refused(
        &mut self,
        reference: Option<&String>,
        problem: String,
        fields: FieldErrors,
    ) -> bool {
        if self.pending.as_ref().map(|p| &p.reference) != reference || reference.is_none() {
            return false;
        }
        self.pending = None;
        self.invalid(problem, fields);
        true
    }

    /// Starts again from the product as it is now (after a change by someone else).
    pub fn reload(&mut self) {
        if let Some(Conflict::Changed(now)) = self.conflict.take() {
            self.original = now;
            self.version += 1;
            self.problem = None;
            self.fields.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::NewProduct;

    fn product(price: f64) -> Product {
        NewProduct {
            title: "Escuadra".into(),
            description: "30 cm".into(),
            code: "ESC-001".into(),
            price,
            status: true,
            stock: 3,
            category: "útiles".into(),
            thumbnails: vec![],
        }
        .with_id(7)
    }

    fn price_change(price: f64) -> ProductChanges {
        ProductChanges {
            price: Some(price),
            ..Default::default()
        }
    }

    #[test]
    fn its_own_save_closes_the_form() {
        let mut editing = Editing::new(product(10.0));
        editing.sent("u1".into(), price_change(12.0));
        assert_eq!(editing.arrived(&product(12.0)), Outcome::Saved);
    }

    #[test]
    fn a_change_by_someone_else_is_reported_and_can_be_loaded() {
        let mut editing = Editing::new(product(10.0));
        assert_eq!(
            editing.arrived(&product(10.0)),
            Outcome::Unchanged,
            "a snapshot"
        );
        assert_eq!(editing.arrived(&product(11.0)), Outcome::Conflicted);
        assert_eq!(editing.conflict, Some(Conflict::Changed(product(11.0))));
        editing.reload();
        assert_eq!((editing.original.price, editing.version), (11.0, 1));
        assert_eq!(editing.conflict, None);
    }

    #[test]
    fn a_change_racing_our_save_is_not_taken_for_it() {
        let mut editing = Editing::new(product(10.0));
        editing.sent("u1".into(), price_change(12.0));
        assert_eq!(editing.arrived(&product(99.0)), Outcome::Conflicted);
        let fields =
            FieldErrors::from([("code".to_string(), "ya lo usa otro producto".to_string())]);
        assert!(editing.refused(Some(&"u1".to_string()), "cambió".into(), fields.clone()));
        assert_eq!(
            (editing.problem.as_deref(), &editing.fields),
            (Some("cambió"), &fields)
        );
        assert!(!editing.refused(Some(&"other".to_string()), "no".into(), FieldErrors::new()));
    }

    #[test]
    fn a_removal_is_reported() {
        let mut editing = Editing::new(product(10.0));
        editing.sent("u1".into(), price_change(12.0));
        assert_eq!(editing.removed(), Outcome::Conflicted);
        assert_eq!(
            (editing.conflict, editing.pending),
            (Some(Conflict::Removed), None)
        );
    }
}
