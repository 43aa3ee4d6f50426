//! A document as the three formats share it: a title, header fields, sections of
//! paragraphs, field lists, lists and tables, and annexes. The access report and the Art. 30
//! record are built into one of these; the askama templates in `templates/` turn it into
//! HTML and plain text and `pdf.rs` lays it out on A4 pages, so the three always say the same.

use askama::Template;

use crate::domain::Timestamp;

/// A document in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The `lang` of the HTML, the PDF's language: "fi", "sv" or "en".
    pub lang: &'static str,
    pub title: String,
    /// Labelled lines under the title (controller, diary number, date, …).
    pub header: Vec<(String, String)>,
    pub sections: Vec<Section>,
    /// "sivu" / "sida" / "page", for the PDF's page numbers ("sivu 1/3").
    pub page_word: &'static str,
    /// When the document was made: the PDF's creation date, so that one document always
    /// gives the same bytes.
    pub date: Timestamp,
}

/// A titled part of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub heading: String,
    pub blocks: Vec<Block>,
    /// An annex starts on a new page in print.
    pub annex: bool,
}

/// One piece of a section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Paragraph(String),
    /// A sub-heading inside a section (h3).
    Subheading(String),
    /// Labelled values, as a definition list.
    Fields(Vec<(String, String)>),
    List(Vec<String>),
    Table(Table),
    /// Small print.
    Note(String),
}

/// A table with a header row; `small` tables are printed in small type (annexes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub small: bool,
}

impl Section {
    pub fn new(heading: impl Into<String>) -> Self {
        Self {
            heading: heading.into(),
            blocks: Vec::new(),
            annex: false,
        }
    }

    pub fn paragraph(mut self, text: impl Into<String>) -> Self {
        self.blocks.push(Block::Paragraph(text.into()));
        self
    }

    pub fn push(&mut self, block: Block) {
        self.blocks.push(block);
    }
}

#[derive(Template)]
#[template(path = "document.html")]
struct Html<'a> {
    doc: &'a Document,
}

#[derive(Template)]
#[template(path = "document.txt")]
struct Text<'a> {
    doc: &'a Document,
}

impl Document {
    /// The document as self-contained, print-ready HTML (A4, no external resources).
    pub fn to_html(&self) -> String {
        Html { doc: self }
            .render()
            .expect("rendering into a String does not fail")
    }

    /// The document as plain text.
    pub fn to_text(&self) -> String {
        Text { doc: self }
            .render()
            .expect("rendering into a String does not fail")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(text: &str) -> Document {
        Document {
            lang: "fi",
            title: text.to_owned(),
            header: vec![("Asia".into(), text.to_owned())],
            sections: vec![Section::new(text).paragraph(text)],
            page_word: "sivu",
            date: Timestamp::from_micros(0).unwrap(),
        }
    }

    #[test]
    fn html_escapes_what_it_shows_and_text_shows_it_as_it_is() {
        let doc = document("<eläkkeet & \"etuudet\">");

        let html = doc.to_html();
        let text = doc.to_text();

        assert!(
            html.contains("&#60;eläkkeet &#38; &#34;etuudet&#34;&#62;"),
            "{html}"
        );
        assert!(!html.contains("<eläkkeet"));
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"fi\">"));
        assert!(text.contains("<eläkkeet & \"etuudet\">"));
        assert!(!text.contains("&#"));
    }
}
