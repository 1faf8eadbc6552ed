//! YAML pulled one node at a time, with the line and column of every node, so the loader holds
//! in memory only the part of the file it is checking (a user, a group) and never a tree of the
//! whole file: a 10,000-user roster loads in the memory of its result, not ten times its size.
//!
//! Only what a roster file needs is accepted: one document, plain keys, no anchors, aliases or
//! tags (so no alias bombs), nesting at most [`MAX_DEPTH`] deep. Anything else is a [`YamlError`]
//! that ends the read.

use std::collections::HashSet;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::Marker;

/// Deeper than any roster needs (a contact's value sits 7 levels down), shallow enough that no
/// file can make a reader recurse without bound.
pub(crate) const MAX_DEPTH: usize = 32;

/// The most values one node read whole (a user, a group) may hold: a user holds under a
/// hundred and a group of 10,000 members 60,000, while a node of millions would take memory
/// out of proportion to the file.
pub(crate) const MAX_NODE_VALUES: usize = 250_000;

/// A mapping holding more keys than this checks them for duplicates with a set, not a scan.
const SCAN_KEYS: usize = 16;

/// Where a node starts: 1-based line and column. A block mapping starts at its first key (the
/// parser marks it at the key's colon).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    fn of(marker: &Marker) -> Self {
        Pos {
            line: marker.line(),
            column: marker.col() + 1,
        }
    }
}

/// Why the file cannot be read on: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct YamlError {
    pub pos: Pos,
    pub message: String,
}

impl YamlError {
    fn new(pos: Pos, message: impl Into<String>) -> Self {
        YamlError {
            pos,
            message: message.into(),
        }
    }
}

#[derive(Debug)]
pub(crate) struct Scalar {
    pub pos: Pos,
    pub text: Box<str>,
}

impl Scalar {
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

#[derive(Debug)]
pub(crate) struct Sequence {
    pub pos: Pos,
    pub items: Vec<Node>,
}

#[derive(Debug)]
pub(crate) struct Mapping {
    pub pos: Pos,
    pub entries: Vec<(Scalar, Node)>,
}

impl Mapping {
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries
            .iter()
            .find(|(k, _)| k.as_str() == key)
            .map(|(_, v)| v)
    }

    pub fn keys(&self) -> impl Iterator<Item = &Scalar> {
        self.entries.iter().map(|(k, _)| k)
    }
}

/// A node read whole: one user, one group, one value.
#[derive(Debug)]
pub(crate) enum Node {
    Scalar(Scalar),
    Sequence(Sequence),
    Mapping(Mapping),
}

impl Node {
    pub fn pos(&self) -> Pos {
        match self {
            Node::Scalar(s) => s.pos,
            Node::Sequence(s) => s.pos,
            Node::Mapping(m) => m.pos,
        }
    }

    pub fn as_scalar(&self) -> Option<&Scalar> {
        match self {
            Node::Scalar(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_sequence(&self) -> Option<&Sequence> {
        match self {
            Node::Sequence(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_mapping(&self) -> Option<&Mapping> {
        match self {
            Node::Mapping(m) => Some(m),
            _ => None,
        }
    }
}

/// The first event of a node: a scalar is whole; a collection's contents follow it.
#[derive(Debug)]
pub(crate) enum Start {
    Scalar(Scalar),
    Sequence(Pos),
    Mapping(Pos),
}

impl Start {
    pub fn pos(&self) -> Pos {
        match self {
            Start::Scalar(s) => s.pos,
            Start::Sequence(pos) | Start::Mapping(pos) => *pos,
        }
    }
}

/// The keys of one mapping seen so far, to refuse a key given twice.
#[derive(Default)]
pub(crate) struct SeenKeys {
    few: Vec<Box<str>>,
    many: HashSet<Box<str>>,
}

impl SeenKeys {
    pub fn contains(&self, key: &str) -> bool {
        self.few.iter().any(|k| &**k == key) || self.many.contains(key)
    }

    pub fn check(&mut self, key: &Scalar) -> Result<(), YamlError> {
        let fresh = if self.many.is_empty() && self.few.len() < SCAN_KEYS {
            let fresh = !self.few.iter().any(|k| **k == *key.text);
            if fresh {
                self.few.push(key.text.clone());
            }
            fresh
        } else {
            self.many.extend(self.few.drain(..));
            self.many.insert(key.text.clone())
        };
        if fresh {
            Ok(())
        } else {
            Err(YamlError::new(
                key.pos,
                format!("duplicate key `{}`", key.as_str()),
            ))
        }
    }
}

/// The events of one YAML document, read on demand.
pub(crate) struct Stream<'a> {
    parser: Parser<std::str::Chars<'a>>,
    depth: usize,
}

impl<'a> Stream<'a> {
    pub fn new(text: &'a str) -> Self {
        Stream {
            parser: Parser::new_from_str(text),
            depth: 0,
        }
    }

    fn event(&mut self) -> Result<(Event, Pos), YamlError> {
        match self.parser.next_token() {
            Ok((event, marker)) => Ok((event, Pos::of(&marker))),
            // The scanner's own bound on flow nesting ([[[...) can come before ours.
            Err(e) if e.info() == "recursion limit exceeded" => Err(YamlError::new(
                Pos::of(e.marker()),
                format!("the file nests deeper than {MAX_DEPTH} levels"),
            )),
            Err(e) => Err(YamlError::new(
                Pos::of(e.marker()),
                format!("this is not valid YAML: {}", e.info()),
            )),
        }
    }

    /// The document's top node; `None` for a file with no document at all.
    pub fn document(&mut self) -> Result<Option<Start>, YamlError> {
        loop {
            match self.event()? {
                (Event::StreamStart | Event::DocumentStart, _) => {}
                (Event::StreamEnd, _) => return Ok(None),
                (event, pos) => return self.start(event, pos).map(Some),
            }
        }
    }

    /// After the top node: the end of the file, with no second document.
    pub fn end(&mut self) -> Result<(), YamlError> {
        loop {
            match self.event()? {
                (Event::DocumentEnd, _) => {}
                (Event::StreamEnd, _) => return Ok(()),
                (_, pos) => {
                    return Err(YamlError::new(
                        pos,
                        "a roster file holds one YAML document; this is a second",
                    ));
                }
            }
        }
    }

    /// The next node of the collection being read, or `None` at its end.
    pub fn next(&mut self) -> Result<Option<Start>, YamlError> {
        match self.event()? {
            (Event::SequenceEnd | Event::MappingEnd, _) => {
                self.depth -= 1;
                Ok(None)
            }
            (event, pos) => self.start(event, pos).map(Some),
        }
    }

    /// The next key of the mapping being read, or `None` at its end.
    pub fn key(&mut self) -> Result<Option<Scalar>, YamlError> {
        match self.next()? {
            None => Ok(None),
            Some(Start::Scalar(key)) => Ok(Some(key)),
            Some(other) => Err(YamlError::new(
                other.pos(),
                "mapping keys must be plain scalars",
            )),
        }
    }

    /// The value after a key: always present (YAML gives an empty one as an empty scalar).
    pub fn value(&mut self) -> Result<Start, YamlError> {
        let (event, pos) = self.event()?;
        self.start(event, pos)
    }

    fn start(&mut self, event: Event, pos: Pos) -> Result<Start, YamlError> {
        let (anchor, tagged) = match &event {
            Event::Scalar(_, _, anchor, tag) => (*anchor, tag.is_some()),
            Event::SequenceStart(anchor, tag) | Event::MappingStart(anchor, tag) => {
                (*anchor, tag.is_some())
            }
            Event::Alias(_) => (1, false),
            _ => (0, false),
        };
        if anchor != 0 {
            return Err(YamlError::new(
                pos,
                "anchors and aliases are not allowed in a roster file",
            ));
        }
        if tagged {
            return Err(YamlError::new(
                pos,
                "YAML tags are not allowed in a roster file",
            ));
        }
        match event {
            Event::Scalar(text, ..) => Ok(Start::Scalar(Scalar {
                pos,
                text: text.into_boxed_str(),
            })),
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(YamlError::new(
                        pos,
                        format!("the file nests deeper than {MAX_DEPTH} levels"),
                    ));
                }
                Ok(match event {
                    Event::SequenceStart(..) => Start::Sequence(pos),
                    _ => Start::Mapping(pos),
                })
            }
            other => Err(YamlError::new(
                pos,
                format!("unexpected YAML event {other:?}"),
            )),
        }
    }

    /// Reads past the node that `start` began, keeping nothing of it.
    pub fn skip(&mut self, start: Start) -> Result<(), YamlError> {
        if let Start::Sequence(_) | Start::Mapping(_) = start {
            while let Some(inner) = self.next()? {
                self.skip(inner)?;
            }
        }
        Ok(())
    }

    /// The whole node that `start` began.
    pub fn rest(&mut self, start: Start) -> Result<Node, YamlError> {
        let mut budget = MAX_NODE_VALUES;
        self.build(start, &mut budget).map_err(|e| match e {
            Built::Yaml(e) => e,
            Built::TooLarge(pos) => YamlError::new(
                pos,
                format!(
                    "this holds more than {MAX_NODE_VALUES} values; a user or a group holds far fewer"
                ),
            ),
        })
    }

    /// A node spending one of `budget` per value; too large, the error names the outermost.
    fn build(&mut self, start: Start, budget: &mut usize) -> Result<Node, Built> {
        let pos = start.pos();
        let spend = |budget: &mut usize| budget.checked_sub(1).ok_or(Built::TooLarge(pos));
        *budget = spend(budget)?;
        match start {
            Start::Scalar(scalar) => Ok(Node::Scalar(scalar)),
            Start::Sequence(pos) => {
                let mut items = Vec::new();
                while let Some(item) = self.next()? {
                    items.push(self.build(item, budget).map_err(|e| e.at(pos))?);
                }
                Ok(Node::Sequence(Sequence { pos, items }))
            }
            Start::Mapping(mut pos) => {
                let mut entries = Vec::new();
                let mut seen = SeenKeys::default();
                while let Some(key) = self.key()? {
                    pos = pos.min(key.pos);
                    *budget = spend(budget).map_err(|e| e.at(pos))?;
                    seen.check(&key)?;
                    let value = self.value()?;
                    entries.push((key, self.build(value, budget).map_err(|e| e.at(pos))?));
                }
                Ok(Node::Mapping(Mapping { pos, entries }))
            }
        }
    }
}

enum Built {
    Yaml(YamlError),
    /// Where the node that ran out of values starts.
    TooLarge(Pos),
}

impl Built {
    fn at(self, pos: Pos) -> Self {
        match self {
            Built::TooLarge(_) => Built::TooLarge(pos),
            other => other,
        }
    }
}

impl From<YamlError> for Built {
    fn from(e: YamlError) -> Self {
        Built::Yaml(e)
    }
}
