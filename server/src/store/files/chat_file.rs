//! The chat kept in `DATA_DIR/chat.jsonl`: one JSON message per line, only ever appended.
//!
//! Start-up reads the file once and hands its messages to the caller to keep in memory, so
//! history requests never re-read it. A crash can tear only the last line (a write that never finished, so it was
//! never acknowledged): that line is cut off and reported. A bad line anywhere else means the
//! file was damaged by something else, and start-up stops with the file and line named.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::durable;
use crate::store::{LoadError, StoreError};
use app::domain::{ChatMessage, MessageDraft};

pub struct FileChatStore {
    path: PathBuf,
    file: File,
    /// Bytes of whole lines in the file: where the next line starts.
    length: u64,
    next_id: u64,
}

impl FileChatStore {
    /// Opens (or creates) `dir/chat.jsonl` and returns it with every message it holds,
    /// ascending by id.
    pub fn open(dir: &Path) -> Result<(Self, Vec<ChatMessage>), LoadError> {
        let path = dir.join("chat.jsonl");
        let error = |e: std::io::Error| LoadError::new(&path, e);
        let existed = path.exists();
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .map_err(error)?;
        if !existed {
            durable::sync_dir(dir).map_err(error)?;
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(error)?;
        let (messages, length) = parse_log(&path, &bytes)?;
        if length < bytes.len() as u64 {
            tracing::warn!(
                file = %path.display(),
                bytes = bytes.len() as u64 - length,
                "the last line of the chat log was torn (a write cut short by a crash); removing it"
            );
            file.set_len(length).map_err(error)?;
            file.sync_all().map_err(error)?;
        }
        file.seek(SeekFrom::End(0)).map_err(error)?;
        let next_id = messages.last().map_or(1, |m| m.id + 1);
        let store = FileChatStore {
            path,
            file,
            length,
            next_id,
        };
        Ok((store, messages))
    }
}

/// Reads every complete line. Returns the messages and the length of the good prefix; only a
/// damaged final line may lie beyond it.
fn parse_log(path: &Path, bytes: &[u8]) -> Result<(Vec<ChatMessage>, u64), LoadError> {
    let mut messages: Vec<ChatMessage> = Vec::new();
    let mut offset = 0usize;
    let mut line_number = 0;
    while offset < bytes.len() {
        line_number += 1;
        let rest = &bytes[offset..];
        let (line, complete) = match rest.iter().position(|&b| b == b'\n') {
            Some(end) => (&rest[..end], true),
            None => (rest, false),
        };
        let is_last = offset + line.len() + usize::from(complete) >= bytes.len();
        let parsed = serde_json::from_slice::<ChatMessage>(line);
        match parsed {
            Ok(message) if complete => {
                if messages.last().is_some_and(|last| last.id >= message.id) {
                    return Err(LoadError {
                        path: path.into(),
                        line: Some(line_number),
                        reason: format!("message id {} is not above the one before it", message.id),
                    });
                }
                messages.push(message);
            }
            // A last line without its newline was torn even if it happens to parse.
            _ if is_last => return Ok((messages, offset as u64)),
            Ok(_) => unreachable!("only the last line can lack a newline"),
            Err(e) => {
                return Err(LoadError {
                    path: path.into(),
                    line: Some(line_number),
                    reason: e.to_string(),
                })
            }
        }
        offset += line.len() + 1;
    }
    Ok((messages, offset as u64))
}

impl FileChatStore {
    /// Gives the draft the next id and the current time, appends it and fsyncs; only then
    /// returns it.
    pub fn append(&mut self, draft: MessageDraft) -> Result<ChatMessage, StoreError> {
        let message = ChatMessage {
            id: self.next_id,
            email: draft.email,
            text: draft.text,
            sent_at: ChatMessage::now(),
        };
        let mut line = serde_json::to_vec(&message).expect("a message always serializes");
        line.push(b'\n');
        let written = self
            .file
            .write_all(&line)
            .and_then(|()| self.file.sync_data());
        if let Err(e) = written {
            // Never leave half a line behind a later good one.
            let _ = self.file.set_len(self.length);
            tracing::error!(file = %self.path.display(), error = %e, "could not append to the chat log");
            return Err(e.into());
        }
        self.length += line.len() as u64;
        self.next_id += 1;
        Ok(message)
    }
}
