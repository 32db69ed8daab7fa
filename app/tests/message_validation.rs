//! The chat's rules: who may send (a valid email) and what (1 to 1000 characters).

use app::domain::message::{validate_email, validate_text, EMAIL_MAX, TEXT_MAX};
use app::domain::{ChatMessage, MessageDraft};

#[test]
fn valid_addresses_are_accepted_and_trimmed() {
    for email in [
        "ana@example.com",
        "a.b+tag@sub.example.co",
        "x_y-z@dominio.com.ar",
        "ñandú@correo.es",
    ] {
        assert_eq!(validate_email(email), Ok(email.to_string()), "{email}");
    }
    assert_eq!(
        validate_email("  ana@example.com \n"),
        Ok("ana@example.com".to_string())
    );
}

#[test]
fn invalid_addresses_are_refused() {
    for email in [
        "",
        "   ",
        "a@b",
        "ana",
        "ana@",
        "@example.com",
        "ana@example",
        "ana@@example.com",
        "ana @example.com",
        "ana@exa mple.com",
        "ana@.com",
        "ana@example..com",
        ".ana@example.com",
        "ana.@example.com",
        "an..a@example.com",
        "ana@example.c",
        "ana@example.123",
        "ana@-x.com",
        "<b>@example.com",
    ] {
        assert!(validate_email(email).is_err(), "{email:?} must be refused");
    }
}

#[test]
fn addresses_up_to_254_characters() {
    let domain = "@example.com"; // 12 characters
    let at_limit = format!("{}{domain}", "a".repeat(EMAIL_MAX - domain.len()));
    assert_eq!(at_limit.chars().count(), 254);
    assert!(validate_email(&at_limit).is_ok());
    let over = format!("a{at_limit}");
    assert!(validate_email(&over).is_err());
    // Characters, not bytes: 254 two-byte letters are still 254 characters.
    let wide = format!("{}{domain}", "ñ".repeat(EMAIL_MAX - domain.len()));
    assert!(validate_email(&wide).is_ok());
}

#[test]
fn text_is_1_to_1000_characters_after_trimming() {
    assert!(validate_text("").is_err());
    assert!(validate_text(" \n\t ").is_err());
    assert_eq!(validate_text("  hola  "), Ok("hola".to_string()));
    assert_eq!(validate_text("x"), Ok("x".to_string()));
    assert!(validate_text(&"é".repeat(TEXT_MAX)).is_ok());
    assert!(validate_text(&"é".repeat(TEXT_MAX + 1)).is_err());
    assert!(validate_text(&format!("  {}  ", "a".repeat(TEXT_MAX))).is_ok());
}

#[test]
fn a_draft_reports_both_fields() {
    let invalid = MessageDraft::new("a@b", " ").unwrap_err();
    assert_eq!(invalid.fields.keys().collect::<Vec<_>>(), ["email", "text"]);
    let draft = MessageDraft::new(" ana@example.com ", " hola ").unwrap();
    assert_eq!(
        (draft.email.as_str(), draft.text.as_str()),
        ("ana@example.com", "hola")
    );
}

#[test]
fn sent_at_is_rfc3339_utc_with_milliseconds() {
    let message = ChatMessage {
        id: 1,
        email: "a@b.co".into(),
        text: "hola".into(),
        sent_at: ChatMessage::now(),
        staff: false,
    };
    let json = serde_json::to_value(&message).unwrap();
    assert!(
        json.get("staff").is_none(),
        "a visitor's message reads as it always did"
    );
    let sent_at = json["sent_at"].as_str().unwrap();
    assert_eq!(sent_at.len(), "2026-11-21T23:59:06.123Z".len(), "{sent_at}");
    assert!(sent_at.ends_with('Z'));
    let back: ChatMessage = serde_json::from_value(json).unwrap();
    assert_eq!(
        back, message,
        "what is stored reads back as the same instant"
    );
}

#[test]
fn a_staff_message_says_so_and_reads_back() {
    let draft = MessageDraft::new("x@y.co", "hola")
        .unwrap()
        .by_staff(Some("ana@tienda.com"));
    assert_eq!(
        (draft.email.as_str(), draft.staff),
        ("ana@tienda.com", true)
    );
    let message = ChatMessage {
        id: 2,
        email: draft.email,
        text: draft.text,
        sent_at: ChatMessage::now(),
        staff: true,
    };
    let json = serde_json::to_value(&message).unwrap();
    assert_eq!(json["staff"], true);
    assert_eq!(
        serde_json::from_value::<ChatMessage>(json).unwrap(),
        message
    );
}
