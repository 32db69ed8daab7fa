//! WebSocket frames as the server writes them: unmasked, so encoded once and shared.

use bytes::Bytes;
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::protocol::frame::{CloseFrame, Frame};
use tungstenite::Utf8Bytes;

/// A whole text frame (header and payload) carrying `text`.
pub fn encode_text(text: &Utf8Bytes) -> Bytes {
    let payload = Bytes::copy_from_slice(text.as_bytes());
    encode(Frame::message(
        payload,
        tungstenite::protocol::frame::coding::OpCode::Data(
            tungstenite::protocol::frame::coding::Data::Text,
        ),
        true,
    ))
}

/// A whole text frame carrying `event` as JSON: a server event serialized and framed once, to
/// be shared by every socket it goes to.
pub fn json_frame(event: &impl serde::Serialize) -> Bytes {
    let json = serde_json::to_string(event).expect("server events always serialize");
    encode_text(&Utf8Bytes::from(json))
}

/// Several encoded frames as one buffer, written in order (a resume and what was missed).
pub fn concat(frames: impl IntoIterator<Item = Bytes>) -> Bytes {
    let mut out = Vec::new();
    for frame in frames {
        out.extend_from_slice(&frame);
    }
    Bytes::from(out)
}

/// A ping, to find peers that are gone.
pub fn ping() -> Bytes {
    encode(Frame::ping(Bytes::new()))
}

/// A close frame with code 1001 ("going away"), sent when the server shuts down.
pub fn going_away() -> Bytes {
    encode(Frame::close(Some(CloseFrame {
        code: CloseCode::Away,
        reason: "el servidor se está reiniciando".into(),
    })))
}

/// A close frame with code 1008 ("policy violation"): the socket broke the server's limits.
pub fn policy_violation(reason: &str) -> Bytes {
    encode(Frame::close(Some(CloseFrame {
        code: CloseCode::Policy,
        reason: reason.to_string().into(),
    })))
}

fn encode(frame: Frame) -> Bytes {
    let mut out = Vec::with_capacity(frame.len());
    frame
        .format(&mut out)
        .expect("writing a frame to memory cannot fail");
    Bytes::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_frames_are_final_unmasked_and_carry_their_length() {
        let short = encode_text(&Utf8Bytes::from_static("hola"));
        assert_eq!(&short[..], b"\x81\x04hola");
        let long = encode_text(&Utf8Bytes::from("x".repeat(300)));
        assert_eq!(&long[..4], b"\x81\x7e\x01\x2c", "16-bit length");
        assert_eq!(long.len(), 4 + 300);
        assert_eq!(&going_away()[..4], b"\x88\x22\x03\xe9", "close, code 1001");
    }
}
