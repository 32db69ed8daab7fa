use super::*;
use crate::domain::FieldErrors;

pub(super) fn product(id: ProductId, title: &str) -> Product {
    Product {
        id,
        title: title.into(),
        description: "d".into(),
        code: format!("C-{id}"),
        price: 1.0,
        status: true,
        stock: 1,
        category: "varios".into(),
        thumbnails: vec![],
    }
}

pub(super) fn products(ids: impl IntoIterator<Item = ProductId>) -> Vec<Product> {
    ids.into_iter().map(|id| product(id, "p")).collect()
}

pub(super) fn ids(list: &LiveList) -> Vec<ProductId> {
    list.rows.iter().map(|r| r.product.id).collect()
}

pub(super) fn added(id: ProductId, title: &str, seq: u64) -> Event {
    Event::Socket(ProductEvent::Added {
        product: product(id, title),
        seq,
    })
}

pub(super) fn updated(id: ProductId, title: &str, seq: u64) -> Event {
    Event::Socket(ProductEvent::Updated {
        product: product(id, title),
        seq,
    })
}

pub(super) fn removed(id: ProductId, seq: u64) -> Event {
    Event::Socket(ProductEvent::Removed { id, seq })
}

pub(super) fn fresh_ids(list: &LiveList) -> Vec<ProductId> {
    list.fresh().iter().map(|r| r.product.id).collect()
}

pub(super) fn window_ids(list: &LiveList) -> Vec<ProductId> {
    list.window().iter().map(|r| r.product.id).collect()
}

/// A catalog of `1..=total`, answered the way the server pages it.
pub(super) fn answer(fetch: &Fetch, total: u64, seq: u64) -> Event {
    let query = Query::new(&fetch.query);
    let all: Vec<Product> = (1..=total)
        .map(|id| product(id, "p"))
        .filter(|p| query.matches(p))
        .collect();
    let page = all
        .iter()
        .filter(|p| p.id > fetch.after)
        .take(fetch.limit)
        .cloned()
        .collect();
    Event::Page {
        fetch: fetch.clone(),
        products: page,
        total: all.len() as u64,
        seq,
    }
}

#[test]
fn scrolling_fetches_the_next_pages_and_reaches_the_end() {
    let mut list = LiveList::new(products(1..=60), 130, 0);
    assert!(list.has_more());
    let fetch = list.apply(Event::More).fetch.unwrap();
    assert_eq!(
        (fetch.after, fetch.limit, fetch.kind),
        (60, 60, FetchKind::Next)
    );
    assert_eq!(list.apply(Event::More).fetch, None, "one fetch at a time");
    list.apply(answer(&fetch, 130, 0));
    let fetch = list.apply(Event::More).fetch.unwrap();
    list.apply(answer(&fetch, 130, 0));
    assert_eq!(ids(&list), (1..=130).collect::<Vec<_>>());
    assert!(!list.has_more());
    assert_eq!(list.count().total, 130);
}

#[test]
fn the_rows_stay_bounded_however_far_one_scrolls_and_come_back_in_order() {
    let total = 2_000;
    let mut list = LiveList::new(products(1..=60), total, 0);
    while list.has_more() {
        let fetch = list.apply(Event::More).fetch.unwrap();
        let last = ids(&list).last().copied();
        let changed = list.apply(answer(&fetch, total, 0));
        assert_eq!(changed.anchor, last, "what one was reading stays in place");
        assert!(ids(&list).contains(&last.unwrap()));
        assert!(list.rows.len() <= MAX_ROWS, "{}", list.rows.len());
        let shown = ids(&list);
        assert!(shown.windows(2).all(|w| w[1] == w[0] + 1), "contiguous");
    }
    assert_eq!(ids(&list).last(), Some(&total));
    assert!(list.has_earlier());
    // Back up to the top, a run at a time, never with a gap.
    while list.has_earlier() {
        let fetch = list.apply(Event::Earlier).fetch.unwrap();
        assert_eq!(fetch.kind, FetchKind::Previous);
        list.apply(answer(&fetch, total, 0));
        let shown = ids(&list);
        assert!(shown.windows(2).all(|w| w[1] == w[0] + 1), "contiguous");
        assert!(shown.len() <= MAX_ROWS);
    }
    assert_eq!(ids(&list)[0], 1);
    assert!(list.has_more(), "the end was dropped on the way up");
}

#[test]
fn events_apply_where_the_rows_reach_and_keep_the_count_right() {
    let mut list = LiveList::new(products(1..=60), 100, 0);
    // Beyond the rows shown: counted, not in the window (it belongs after product 100), but
    // shown as just added.
    let changed = list.apply(added(101, "nuevo", 1));
    assert!(changed.count && changed.rows);
    assert_eq!((list.count().total, list.rows.len()), (101, 60));
    assert_eq!(fresh_ids(&list), [101]);
    list.apply(updated(5, "cambiado", 2));
    assert_eq!(list.get(5).unwrap().title, "cambiado");
    list.apply(removed(7, 3));
    list.apply(removed(80, 4));
    assert_eq!(list.count().total, 99);
    assert!(list.get(7).is_none());
    // At the end of the list, a new product shows where it belongs.
    let mut short = LiveList::new(products([1, 2, 3]), 3, 0);
    short.apply(added(4, "nuevo", 1));
    assert_eq!(ids(&short), [1, 2, 3, 4]);
}

#[test]
fn events_crossing_a_fetch_count_once_and_miss_nothing() {
    let mut list = LiveList::new(products(1..=60), 100, 0);
    let fetch = list.apply(Event::More).fetch.unwrap();
    // While the page is out: product 61 changes after the page was read (seq 6 > 5), a new
    // product comes, and product 99 goes before it was read (seq 4 <= 5).
    list.apply(removed(99, 4));
    list.apply(updated(61, "después", 6));
    list.apply(added(101, "nuevo", 7));
    // The page, read at seq 5: 99 already gone, 61 as it was.
    let Event::Page { products, .. } = answer(&fetch, 100, 5) else {
        unreachable!()
    };
    let page: Vec<Product> = products.into_iter().filter(|p| p.id != 99).collect();
    list.apply(Event::Page {
        fetch,
        products: page,
        total: 99,
        seq: 5,
    });
    assert_eq!(
        list.get(61).unwrap().title,
        "después",
        "the newer event wins"
    );
    assert_eq!(list.count().total, 100, "99 as read, plus the new one");
    assert!(!list.has_more(), "the page reached the end");
    assert_eq!(
        ids(&list)[97..],
        [98, 100, 101],
        "so the new one shows at the end"
    );
}

#[test]
fn a_search_is_answered_by_the_server_and_followed_live() {
    let mut list = LiveList::new(products(1..=60), 500, 0);
    let first = list.apply(Event::Search("lápiz".into())).fetch.unwrap();
    assert_eq!((first.query.as_str(), first.after), ("lápiz", 0));
    assert!(list.count().searching);
    // Typed on before the answer: the old answer is ignored.
    let second = list
        .apply(Event::Search("lapiz azul".into()))
        .fetch
        .unwrap();
    let changed = list.apply(Event::Page {
        fetch: first,
        products: products([3]),
        total: 1,
        seq: 0,
    });
    assert_eq!(changed, Changed::default());
    list.apply(Event::Page {
        fetch: second,
        products: vec![product(4, "Lápiz azul"), product(9, "Lapiz AZUL")],
        total: 2,
        seq: 0,
    });
    assert_eq!(ids(&list), [4, 9]);
    assert!(!list.count().searching);
    // A product renamed into the search, one out of it, a match added: all where they belong.
    list.apply(updated(6, "lápiz azul fino", 1));
    list.apply(updated(9, "goma", 2));
    list.apply(added(501, "Lápiz Azul", 3));
    list.apply(added(502, "regla", 4));
    assert_eq!(ids(&list), [4, 6, 501]);
    assert_eq!(list.count().total, 3);
}

#[test]
fn the_open_form_is_not_redrawn_by_others_changes_and_shows_them_on_closing() {
    let mut list = LiveList::new(products(1..=3), 3, 0);
    list.apply(Event::Open(2));
    let drawn = list.rows[1].clone();
    let changed = list.apply(updated(2, "de otra persona", 1));
    assert!(changed.editing);
    assert_eq!(list.rows[1].revision, drawn.revision, "not drawn again");
    assert!(matches!(
        list.editing().unwrap().conflict,
        Some(super::super::editing::Conflict::Changed(_))
    ));
    list.apply(Event::Close);
    assert!(list.editing().is_none());
    assert!(list.rows[1].revision > drawn.revision);
    assert_eq!(list.rows[1].product.title, "de otra persona");

    // Removed while open: it stays until the form closes.
    list.apply(Event::Open(3));
    list.apply(removed(3, 2));
    assert_eq!(ids(&list), [1, 2, 3]);
    assert_eq!(list.count().total, 2);
    list.apply(Event::Close);
    assert_eq!(ids(&list), [1, 2]);
}

#[test]
fn the_forms_own_requests_are_answered() {
    let mut list = LiveList::new(products(1..=2), 2, 0);
    // The edit form's own save closes it with a notice.
    list.apply(Event::Open(1));
    let changes = ProductChanges {
        title: Some("nuevo título".into()),
        ..Default::default()
    };
    list.apply(Event::Saving {
        reference: "edit-1".into(),
        changes,
    });
    let changed = list.apply(updated(1, "nuevo título", 1));
    assert!(list.editing().is_none());
    assert_eq!(
        changed.notice,
        Some(PageNotice::Ok("Producto actualizado: nuevo título".into()))
    );
    // The add form: refused with its fields, then accepted.
    list.apply(Event::AddSent {
        reference: "add-1".into(),
        code: "C-3".into(),
    });
    let fields = FieldErrors::from([("code".to_string(), "ya existe".to_string())]);
    let changed = list.apply(Event::Socket(ProductEvent::Error(ErrorFrame {
        reference: Some("add-1".into()),
        message: "Código repetido".into(),
        fields: fields.clone(),
    })));
    assert_eq!(changed.add_errors, Some(fields));
    list.apply(Event::AddSent {
        reference: "add-2".into(),
        code: "C-3".into(),
    });
    let changed = list.apply(added(3, "Escuadra", 2));
    assert!(changed.added);
    assert_eq!(
        changed.notice,
        Some(PageNotice::Ok("Producto agregado: Escuadra".into()))
    );
}

#[test]
fn a_snapshot_replaces_the_first_page_or_has_the_rows_fetched_again() {
    let mut list = LiveList::new(products(1..=60), 100, 0);
    let before = list.rows[0].revision;
    let changed = list.apply(Event::Socket(ProductEvent::Snapshot {
        products: products(1..=60),
        total: 120,
        seq: 9,
        epoch: "e".into(),
    }));
    assert!(changed.fetch.is_none());
    assert_eq!(
        list.rows[0].revision, before,
        "unchanged rows are not drawn again"
    );
    assert_eq!(list.count().total, 120);
    // Scrolled on: the rows on screen are fetched again instead.
    let fetch = list.apply(Event::More).fetch.unwrap();
    list.apply(answer(&fetch, 120, 9));
    let changed = list.apply(Event::Socket(ProductEvent::Snapshot {
        products: products(1..=60),
        total: 120,
        seq: 10,
        epoch: "e".into(),
    }));
    let refresh = changed.fetch.unwrap();
    assert_eq!(
        (refresh.kind, refresh.after, refresh.limit),
        (FetchKind::Refresh, 0, 120)
    );
}

#[test]
fn a_page_opened_on_a_product_further_down_edits_it_and_goes_back_to_the_top() {
    // `/realtimeproducts?edit=500`: the page starts just before product 500.
    let mut list = LiveList::new(products(500..=559), 1_000, 499);
    list.apply(Event::Open(500));
    assert_eq!(list.editing().map(|e| e.id()), Some(500));
    assert!(list.has_earlier() && list.has_more());
    // What lies before is not one page: "Mostrar anteriores" goes back to the top.
    let fetch = list.apply(Event::Earlier).fetch.unwrap();
    assert_eq!((fetch.kind, fetch.after), (FetchKind::First, 0));
    list.apply(answer(&fetch, 1_000, 0));
    assert_eq!(ids(&list)[0], 1);
    assert!(!list.has_earlier());
    // The open form's row stays where it is drawn until the form closes.
    assert!(list.get(500).is_some());
}
