//! A [`Document`] laid out on A4 pages as PDF/A-2u (archivable, text extractable), with the
//! DejaVu Sans font vendored in `assets/fonts/` (its licence beside it).
//!
//! krilla writes the PDF (fonts subset and embedded, PDF/A validated when written) but does
//! no layout: the line breaking and the tables here are hand-written because a layout engine
//! crate (typst, parley with a renderer) would bring far more than these documents need:
//! headings, paragraphs, field lists, bullet lists, simple tables and "sivu 1/3" footers.
//! The layout is first computed into positioned lines ([`layout`]), which the tests read as
//! text, and then drawn.

use krilla::configure::{Archival, ConfigurationBuilder, Validator};
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::{DateTime, Metadata};
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::text::{Font, TextDirection};
use krilla::{Document as Pdf, SerializeSettings};
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

use super::document::{Block, Document, Table};
use crate::domain::finnish_time::finnish_local;

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// A4 in points.
const WIDTH: f32 = 595.28;
const HEIGHT: f32 = 841.89;
const MARGIN: f32 = 56.0;
const TOP: f32 = 56.0;
/// The lowest baseline of body text; the page number sits below it.
const BOTTOM: f32 = HEIGHT - 64.0;
const BODY: f32 = 10.0;
const SMALL: f32 = 7.5;
const LEADING: f32 = 1.35;

/// One line of text placed on a page (baseline at `y`, from the top).
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub page: usize,
    pub x: f32,
    pub y: f32,
    pub size: f32,
    pub bold: bool,
    pub text: String,
}

/// A rule (table border) on a page.
#[derive(Debug, Clone, PartialEq)]
struct Rule {
    page: usize,
    from: (f32, f32),
    to: (f32, f32),
}

/// Text widths from the font's advance widths (no kerning: enough to break lines).
struct Measure {
    regular: Widths,
    bold: Widths,
}

struct Widths {
    font: FontRef<'static>,
    units_per_em: f32,
}

impl Widths {
    fn new(data: &'static [u8]) -> Self {
        let font = FontRef::new(data).expect("the vendored font parses");
        let units_per_em = f32::from(
            font.metrics(Size::unscaled(), LocationRef::default())
                .units_per_em,
        );
        Self { font, units_per_em }
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        let charmap = self.font.charmap();
        let metrics = self
            .font
            .glyph_metrics(Size::unscaled(), LocationRef::default());
        let units: f32 = text
            .chars()
            .map(|c| {
                charmap
                    .map(c)
                    .and_then(|g| metrics.advance_width(g))
                    .unwrap_or(self.units_per_em / 2.0)
            })
            .sum();
        units * size / self.units_per_em
    }
}

impl Measure {
    fn new() -> Self {
        Self {
            regular: Widths::new(REGULAR),
            bold: Widths::new(BOLD),
        }
    }

    fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        if bold { &self.bold } else { &self.regular }.width(text, size)
    }

    /// `text` broken into lines no wider than `width`; a word wider than a line is cut.
    fn wrap(&self, text: &str, size: f32, bold: bool, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for word in paragraph.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, size, bold) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                let mut rest = word.to_owned();
                while self.width(&rest, size, bold) > width {
                    let mut cut = String::new();
                    for c in rest.chars() {
                        if self.width(&format!("{cut}{c}"), size, bold) > width && !cut.is_empty() {
                            break;
                        }
                        cut.push(c);
                    }
                    rest = rest[cut.len()..].to_owned();
                    lines.push(cut);
                }
                line = rest;
            }
            lines.push(line);
        }
        lines
    }
}

/// Where the layout is: the page and the next line's top.
struct Cursor<'m> {
    measure: &'m Measure,
    page: usize,
    y: f32,
    lines: Vec<Line>,
    rules: Vec<Rule>,
}

impl Cursor<'_> {
    fn new_page(&mut self) {
        self.page += 1;
        self.y = TOP;
    }

    /// Starts a new page unless `height` more fits on this one.
    fn room_for(&mut self, height: f32) {
        if self.y + height > BOTTOM && self.y > TOP {
            self.new_page();
        }
    }

    fn text(&mut self, x: f32, width: f32, text: &str, size: f32, bold: bool) {
        for line in self.measure.wrap(text, size, bold, width) {
            self.room_for(size * LEADING);
            self.y += size * LEADING;
            self.lines.push(Line {
                page: self.page,
                x,
                y: self.y - size * 0.3,
                size,
                bold,
                text: line,
            });
        }
    }

    fn gap(&mut self, points: f32) {
        self.y += points;
    }

    fn rule(&mut self, from: (f32, f32), to: (f32, f32)) {
        self.rules.push(Rule {
            page: self.page,
            from,
            to,
        });
    }

    fn fields(&mut self, fields: &[(String, String)]) {
        let label_width = 150.0;
        let x = MARGIN;
        let value_x = x + label_width + 8.0;
        let value_width = WIDTH - MARGIN - value_x;
        for (label, value) in fields {
            let label_lines = self.measure.wrap(label, BODY, true, label_width);
            let value_lines = self.measure.wrap(value, BODY, false, value_width);
            let rows = label_lines.len().max(value_lines.len());
            self.room_for(rows as f32 * BODY * LEADING);
            let top = self.y;
            for (i, line) in label_lines.into_iter().enumerate() {
                self.place(x, top, i, line, BODY, true);
            }
            for (i, line) in value_lines.into_iter().enumerate() {
                self.place(value_x, top, i, line, BODY, false);
            }
            self.y = top + rows as f32 * BODY * LEADING + 2.0;
        }
    }

    /// Line `i` of a block whose top is `top`.
    fn place(&mut self, x: f32, top: f32, i: usize, text: String, size: f32, bold: bool) {
        self.lines.push(Line {
            page: self.page,
            x,
            y: top + (i + 1) as f32 * size * LEADING - size * 0.3,
            size,
            bold,
            text,
        });
    }

    fn table(&mut self, table: &Table) {
        let size = if table.small { SMALL } else { BODY * 0.9 };
        let pad = 3.0;
        let width = WIDTH - 2.0 * MARGIN;
        let columns = table.headers.len().max(1);
        // Each column gets room by the square root of its widest cell, so that a column of
        // long texts gets more than one of short ones without starving it; and never less than
        // its longest word.
        let cells = |c: usize| {
            std::iter::once(&table.headers)
                .chain(&table.rows)
                .filter_map(move |row| row.get(c))
        };
        let natural: Vec<f32> = (0..columns)
            .map(|c| {
                cells(c)
                    .map(|cell| self.measure.width(cell, size, false))
                    .fold(1.0_f32, f32::max)
                    .sqrt()
            })
            .collect();
        let longest_word: Vec<f32> = (0..columns)
            .map(|c| {
                cells(c)
                    .flat_map(|cell| cell.split_whitespace())
                    .map(|word| self.measure.width(word, size, true) + 2.0 * pad)
                    .fold(0.0_f32, f32::max)
                    .min(width * 0.4)
            })
            .collect();
        let total: f32 = natural.iter().sum();
        let mut widths: Vec<f32> = natural.iter().map(|n| n / total * width).collect();
        for (w, min) in widths.iter_mut().zip(&longest_word) {
            *w = w.max(*min);
        }
        let scale = width / widths.iter().sum::<f32>();
        widths.iter_mut().for_each(|w| *w *= scale);
        let header = table.headers.clone();
        self.table_row(&header, &widths, size, pad, true);
        for row in &table.rows {
            let height = self.row_height(row, &widths, size, pad, false);
            if self.y + height > BOTTOM {
                self.new_page();
                self.table_row(&header, &widths, size, pad, true);
            }
            self.table_row(row, &widths, size, pad, false);
        }
        self.gap(6.0);
    }

    fn row_height(&self, row: &[String], widths: &[f32], size: f32, pad: f32, bold: bool) -> f32 {
        let lines = row
            .iter()
            .zip(widths)
            .map(|(cell, w)| self.measure.wrap(cell, size, bold, w - 2.0 * pad).len())
            .max()
            .unwrap_or(1);
        lines as f32 * size * LEADING + 2.0 * pad
    }

    fn table_row(&mut self, row: &[String], widths: &[f32], size: f32, pad: f32, bold: bool) {
        let height = self.row_height(row, widths, size, pad, bold);
        self.room_for(height);
        let top = self.y;
        let mut x = MARGIN;
        self.rule((MARGIN, top), (WIDTH - MARGIN, top));
        for (cell, w) in row.iter().zip(widths) {
            self.rule((x, top), (x, top + height));
            for (i, line) in self
                .measure
                .wrap(cell, size, bold, w - 2.0 * pad)
                .into_iter()
                .enumerate()
            {
                self.place(x + pad, top + pad, i, line, size, bold);
            }
            x += w;
        }
        self.rule((WIDTH - MARGIN, top), (WIDTH - MARGIN, top + height));
        self.rule((MARGIN, top + height), (WIDTH - MARGIN, top + height));
        self.y = top + height;
    }
}

/// The document's lines and rules, page by page, with the page numbers added.
fn lay_out(doc: &Document) -> (Vec<Line>, Vec<Rule>, usize) {
    let measure = Measure::new();
    let mut c = Cursor {
        measure: &measure,
        page: 0,
        y: TOP,
        lines: Vec::new(),
        rules: Vec::new(),
    };
    let width = WIDTH - 2.0 * MARGIN;
    c.text(MARGIN, width, &doc.title, 16.0, true);
    c.gap(8.0);
    c.fields(&doc.header);
    for section in &doc.sections {
        if section.annex {
            c.new_page();
        } else {
            c.gap(10.0);
            // A heading is not left alone at the foot of a page.
            c.room_for(13.0 * LEADING + 3.0 * BODY * LEADING);
        }
        c.text(MARGIN, width, &section.heading, 13.0, true);
        c.gap(3.0);
        for block in &section.blocks {
            match block {
                Block::Paragraph(text) => {
                    c.text(MARGIN, width, text, BODY, false);
                    c.gap(5.0);
                }
                Block::Subheading(text) => {
                    c.gap(4.0);
                    c.room_for(11.0 * LEADING + 3.0 * BODY * LEADING);
                    c.text(MARGIN, width, text, 11.0, true);
                    c.gap(2.0);
                }
                Block::Fields(fields) => {
                    c.fields(fields);
                    c.gap(4.0);
                }
                Block::List(items) => {
                    for item in items {
                        let before = c.lines.len();
                        c.text(MARGIN + 12.0, width - 12.0, item, BODY, false);
                        if let Some(first) = c.lines.get(before).cloned() {
                            c.lines.push(Line {
                                x: MARGIN + 2.0,
                                text: "•".into(),
                                ..first
                            });
                        }
                    }
                    c.gap(5.0);
                }
                Block::Table(table) => c.table(table),
                Block::Note(text) => {
                    c.text(MARGIN, width, text, SMALL, false);
                    c.gap(4.0);
                }
            }
        }
    }
    let pages = c.page + 1;
    for page in 0..pages {
        let label = format!("{} {}/{}", doc.page_word, page + 1, pages);
        let x = WIDTH - MARGIN - measure.width(&label, 8.0, false);
        c.lines.push(Line {
            page,
            x,
            y: HEIGHT - 36.0,
            size: 8.0,
            bold: false,
            text: label,
        });
    }
    (c.lines, c.rules, pages)
}

/// The document's text as laid out: each page's lines top to bottom, under a "--- page n ---"
/// line. What a reader of the PDF sees, without the PDF's bytes: the PDF goldens compare it.
pub fn layout(doc: &Document) -> String {
    let (mut lines, _, pages) = lay_out(doc);
    lines.sort_by(|a, b| {
        (a.page, a.y, a.x)
            .partial_cmp(&(b.page, b.y, b.x))
            .expect("no NaN")
    });
    let mut out = String::new();
    for page in 0..pages {
        out.push_str(&format!("--- {} ---\n", page + 1));
        let mut row: Option<f32> = None;
        for line in lines.iter().filter(|l| l.page == page) {
            match row {
                Some(y) if (y - line.y).abs() < 0.5 => out.push_str(" | "),
                Some(_) => out.push('\n'),
                None => {}
            }
            out.push_str(&line.text);
            row = Some(line.y);
        }
        out.push('\n');
    }
    out
}

/// Why a PDF could not be written (a bug, not a condition of the data: the validator found
/// something the layout put in).
#[derive(Debug, thiserror::Error)]
#[error("writing the PDF: {0}")]
pub struct PdfError(String);

/// The document as a PDF/A-2u file. The same document always gives the same bytes: the
/// creation date is the document's own date and krilla derives the file's id from its content.
pub fn to_pdf(doc: &Document) -> Result<Vec<u8>, PdfError> {
    let (lines, rules, pages) = lay_out(doc);
    let configuration = ConfigurationBuilder::new()
        .set_validator(Validator::A(Archival::A2_U))
        .finish()
        .map_err(|e| PdfError(format!("{e:?}")))?;
    let mut pdf = Pdf::new_with(SerializeSettings {
        configuration,
        ..SerializeSettings::default()
    });
    let local = finnish_local(doc.date);
    let offset = local.offset();
    pdf.set_metadata(
        Metadata::new()
            .title(doc.title.clone())
            .language(doc.lang.to_owned())
            .creator("luovutusloki".to_owned())
            .creation_date(
                DateTime::new(u16::try_from(local.year()).unwrap_or(2000))
                    .month(local.month() as u8)
                    .day(local.day())
                    .hour(local.hour())
                    .minute(local.minute())
                    .second(local.second())
                    .utc_offset_hour(offset.whole_hours())
                    .utc_offset_minute(offset.minutes_past_hour().unsigned_abs()),
            ),
    );
    let regular = Font::new(REGULAR.into(), 0).ok_or_else(|| PdfError("font".into()))?;
    let bold = Font::new(BOLD.into(), 0).ok_or_else(|| PdfError("bold font".into()))?;
    for page in 0..pages {
        let settings = PageSettings::from_wh(WIDTH, HEIGHT).expect("A4 is a size");
        let mut p = pdf.start_page_with(settings);
        let mut surface = p.surface();
        for line in lines.iter().filter(|l| l.page == page) {
            let font = if line.bold { &bold } else { &regular };
            surface.draw_text(
                Point::from_xy(line.x, line.y),
                font.clone(),
                line.size,
                &line.text,
                false,
                TextDirection::Auto,
            );
        }
        let mut path = PathBuilder::new();
        let mut any = false;
        for rule in rules.iter().filter(|r| r.page == page) {
            path.move_to(rule.from.0, rule.from.1);
            path.line_to(rule.to.0, rule.to.1);
            any = true;
        }
        if let Some(path) = path.finish().filter(|_| any) {
            surface.set_fill(None);
            surface.set_stroke(Some(Stroke {
                width: 0.5,
                ..Stroke::default()
            }));
            surface.draw_path(&path);
        }
        surface.finish();
        p.finish();
    }
    pdf.finish().map_err(|e| PdfError(format!("{e:?}")))
}
