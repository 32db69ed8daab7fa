//! What was just added (`fresh.rs`): shown first in any window, in the searches it matches,
//! bounded, forgotten when the socket lost track, and not redrawn under an open form.

use super::tests::{added, answer, fresh_ids, ids, products, removed, updated, window_ids};
use super::*;

#[test]
fn a_product_added_while_open_shows_first_in_any_window_and_the_count_stays_exact() {
    // 150 products, the first page shown: a new one would fall far below the window.
    let mut list = LiveList::new(products(1..=60), 150, 0);
    let changed = list.apply(added(151, "nuevo", 1));
    assert!(changed.rows && changed.count);
    list.apply(added(152, "otro", 2));
    assert_eq!(fresh_ids(&list), vec![152, 151], "newest first");
    assert_eq!(window_ids(&list), (1..=60).collect::<Vec<_>>());
    assert_eq!(list.count().total, 152);

    // Updated in place, and still new; removed, it goes and the count follows.
    list.apply(updated(151, "renombrado", 3));
    assert_eq!(list.fresh()[1].product.title, "renombrado");
    assert_eq!(list.get(151).map(|p| p.title.as_str()), Some("renombrado"));
    list.apply(removed(152, 4));
    assert_eq!(fresh_ids(&list), vec![151]);
    assert_eq!(list.count().total, 151);
}

#[test]
fn a_product_added_shows_once_when_the_window_reaches_the_end() {
    let mut list = LiveList::new(products(1..=10), 10, 0);
    list.apply(added(11, "nuevo", 1));
    assert_eq!(
        ids(&list),
        (1..=11).collect::<Vec<_>>(),
        "the window has it too"
    );
    assert_eq!(fresh_ids(&list), vec![11]);
    assert_eq!(
        window_ids(&list),
        (1..=10).collect::<Vec<_>>(),
        "drawn once, on top"
    );
    assert_eq!(list.count().total, 11);
}

#[test]
fn a_search_shows_the_products_just_added_that_match_it() {
    let mut list = LiveList::new(products(1..=60), 150, 0);
    let fetch = list.apply(Event::Search("lápiz".into())).fetch.unwrap();
    list.apply(Event::Page {
        fetch,
        products: vec![],
        total: 0,
        seq: 0,
    });
    list.apply(added(151, "Lapiz negro", 1));
    list.apply(added(152, "Goma", 2));
    assert_eq!(fresh_ids(&list), vec![151]);
    assert_eq!(list.count().total, 1);
    // Renamed out of the search: it leaves it, and the count knows it matched.
    list.apply(updated(151, "Birome", 3));
    assert!(list.fresh().is_empty());
    assert_eq!(list.count().total, 0);
    // Back to the whole catalog: both, still marked new.
    let fetch = list.apply(Event::Search(String::new())).fetch.unwrap();
    list.apply(answer(&fetch, 152, 3));
    assert_eq!(fresh_ids(&list), vec![152, 151]);
}

#[test]
fn the_products_just_added_are_bounded_and_forgotten_when_the_socket_lost_track() {
    let mut list = LiveList::new(products(1..=60), 150, 0);
    for id in 151..=(150 + FRESH_MAX as u64 + 5) {
        list.apply(added(id, "p", id));
    }
    assert_eq!(list.fresh().len(), FRESH_MAX);
    assert_eq!(list.fresh()[0].product.id, 150 + FRESH_MAX as u64 + 5);
    list.apply(Event::Socket(ProductEvent::Snapshot {
        products: products(1..=60),
        total: 200,
        seq: 500,
        epoch: "e".into(),
    }));
    assert!(list.fresh().is_empty());
    assert_eq!(window_ids(&list), (1..=60).collect::<Vec<_>>());
}

#[test]
fn a_product_just_added_can_be_edited_and_is_not_redrawn_under_the_form() {
    let mut list = LiveList::new(products(1..=60), 150, 0);
    list.apply(added(151, "nuevo", 1));
    assert!(list.apply(Event::Open(151)).editing);
    let drawn = list.fresh()[0].revision;
    list.apply(updated(151, "cambiado por otro", 2));
    assert_eq!(
        list.fresh()[0].revision,
        drawn,
        "not under the person typing"
    );
    list.apply(Event::Close);
    assert_ne!(list.fresh()[0].revision, drawn, "drawn again once closed");
    assert_eq!(list.fresh()[0].product.title, "cambiado por otro");
}
