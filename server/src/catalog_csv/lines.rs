//! Where a row of a catalog file starts, as the line number a spreadsheet shows.

/// Line numbers as a spreadsheet shows them, from byte offsets into the file: a line ends at
/// each `\n` (CRLF and LF alike). Offsets come in increasing order, so the file is counted
/// through once.
pub struct Lines<'a> {
    body: &'a [u8],
    /// The offset counted up to, and the line it is on.
    offset: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    pub fn new(body: &'a [u8]) -> Self {
        Lines {
            body,
            offset: 0,
            line: 1,
        }
    }

    /// The line of the record that csv places at `offset`. csv places a record after a
    /// CRLF's `\r` (on its `\n`) and before blank lines it skips, so the record's own first
    /// byte is the first one after `offset` that ends no line.
    pub fn at(&mut self, offset: u64) -> u64 {
        let mut offset = (offset as usize).min(self.body.len());
        while matches!(self.body.get(offset), Some(b'\r' | b'\n')) {
            offset += 1;
        }
        if offset >= self.offset {
            let newlines = self.body[self.offset..offset]
                .iter()
                .filter(|&&b| b == b'\n');
            self.line += newlines.count() as u64;
            self.offset = offset;
        }
        self.line
    }
}
