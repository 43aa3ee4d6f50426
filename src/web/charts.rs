//! The geometry of the dashboard's bar charts, drawn as inline SVG by
//! `templates/web/chart.html`: scales, ticks, bars, value labels, and the numbers in the
//! reader's format. Only numbers and positions are decided here; the template draws them and
//! the style sheet colours them, so the strict CSP (no `style=`) holds.
//!
//! Colour is never the only cue (WCAG 1.4.1): the part of a bar that is undeclared is
//! hatched and the consent-based part dotted, each named in the chart's key and in the
//! value label beside the bar, and every chart has a table of the same numbers.

use super::Lang;

/// The width of every chart's drawing, in SVG units; it scales with the page.
pub const WIDTH: u32 = 640;

/// `n` with thousands grouped as the reader writes them: a no-break space in Finnish and
/// Swedish (so a number never breaks over two lines), a comma in English.
pub fn number(n: u64, lang: Lang) -> String {
    let separator = match lang {
        Lang::Fi | Lang::Sv => '\u{a0}',
        Lang::En => ',',
    };
    let digits = n.to_string();
    let mut text = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            text.push(separator);
        }
        text.push(digit);
    }
    text
}

/// One bar's figures: its total and the highlighted parts of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    pub label: String,
    pub value: u64,
    pub undeclared: u64,
    pub consent: u64,
}

/// A rectangle in SVG units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

/// A bar as drawn: the whole, the hatched (undeclared) and dotted (consent-based) parts,
/// where the category label and the value label go.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub bar: Rect,
    pub undeclared: Option<Rect>,
    pub consent: Option<Rect>,
    pub label: String,
    pub label_x: f64,
    pub label_y: f64,
    /// The number, and the highlighted parts in words when there are any.
    pub value_text: String,
    pub value_x: f64,
    pub value_y: f64,
}

/// A grid line of the value axis, with its number.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub text: String,
    /// Where the line is: `x` of a vertical line in horizontal charts, `y` of a horizontal
    /// line in vertical ones.
    pub at: f64,
}

/// A chart's drawing.
#[derive(Debug, Clone, PartialEq)]
pub struct Drawing {
    pub vertical: bool,
    pub width: u32,
    pub height: u32,
    pub bars: Vec<Bar>,
    pub ticks: Vec<Tick>,
    /// The value axis' extent, for the grid lines: (start, end) across the bars' direction.
    pub axis_from: f64,
    pub axis_to: f64,
}

/// Words for the highlighted parts, in the page's language.
pub struct Highlight<'a> {
    pub undeclared: &'a str,
    pub consent: &'a str,
}

/// The smallest "nice" number (1, 2 or 5 times a power of ten) at least `max`, and the step
/// of four or five grid lines up to it.
fn nice_scale(max: u64) -> (u64, u64) {
    if max == 0 {
        return (1, 1);
    }
    let mut power = 1u64;
    loop {
        for step in [power, 2 * power, 5 * power] {
            let ticks = max.div_ceil(step);
            if ticks <= 5 {
                return (ticks * step, step);
            }
        }
        power *= 10;
    }
}

fn value_text(figure: &Figure, lang: Lang, words: &Highlight<'_>) -> String {
    let mut text = number(figure.value, lang);
    let mut parts = Vec::new();
    if figure.undeclared > 0 {
        parts.push(format!(
            "{} {}",
            number(figure.undeclared, lang),
            words.undeclared
        ));
    }
    if figure.consent > 0 {
        parts.push(format!(
            "{} {}",
            number(figure.consent, lang),
            words.consent
        ));
    }
    if !parts.is_empty() {
        text.push_str(&format!(" ({})", parts.join(", ")));
    }
    text
}

fn ticks(max: u64, step: u64, lang: Lang, position: impl Fn(u64) -> f64) -> Vec<Tick> {
    (0..=max / step)
        .map(|i| Tick {
            text: number(i * step, lang),
            at: position(i * step),
        })
        .collect()
}

/// Vertical bars, one per period, labelled below; for counts over time.
pub fn columns(figures: &[Figure], lang: Lang) -> Drawing {
    const HEIGHT: f64 = 280.0;
    const LEFT: f64 = 56.0;
    const TOP: f64 = 24.0;
    const BOTTOM: f64 = 40.0;
    let plot_height = HEIGHT - TOP - BOTTOM;
    let plot_width = f64::from(WIDTH) - LEFT - 8.0;
    let (max, step) = nice_scale(figures.iter().map(|f| f.value).max().unwrap_or(0));
    let scale = |v: u64| plot_height * v as f64 / max as f64;
    let slot = plot_width / figures.len().max(1) as f64;
    let bar_width = (slot * 0.7).min(48.0);
    let base = TOP + plot_height;
    let bars = figures
        .iter()
        .enumerate()
        .map(|(i, figure)| {
            let x = LEFT + slot * i as f64 + (slot - bar_width) / 2.0;
            let height = scale(figure.value);
            let part = |value: u64, y: f64| {
                (value > 0).then(|| Rect {
                    x,
                    y,
                    width: bar_width,
                    height: scale(value.min(figure.value)),
                })
            };
            Bar {
                bar: Rect {
                    x,
                    y: base - height,
                    width: bar_width,
                    height,
                },
                // Undeclared from the foot of the bar, consent-based from its top, so both
                // show even when they overlap.
                undeclared: part(
                    figure.undeclared,
                    base - scale(figure.undeclared.min(figure.value)),
                ),
                consent: part(figure.consent, base - height),
                label: figure.label.clone(),
                label_x: x + bar_width / 2.0,
                label_y: base + 18.0,
                // Only the number above a narrow column; the words are in the table.
                value_text: number(figure.value, lang),
                value_x: x + bar_width / 2.0,
                value_y: base - height - 6.0,
            }
        })
        .collect();
    Drawing {
        vertical: true,
        width: WIDTH,
        height: HEIGHT as u32,
        bars,
        ticks: ticks(max, step, lang, |v| base - scale(v)),
        axis_from: LEFT,
        axis_to: f64::from(WIDTH) - 8.0,
    }
}

/// Horizontal bars, one per row, each labelled above its bar with the number and its
/// highlighted parts after it; for counts by recipient, statute, category or channel, whose
/// names are long.
pub fn rows(figures: &[Figure], lang: Lang, words: &Highlight<'_>) -> Drawing {
    const ROW: f64 = 44.0;
    const TOP: f64 = 8.0;
    const LEFT: f64 = 8.0;
    const BAR: f64 = 16.0;
    // Room after the longest bar for its value label.
    const RIGHT: f64 = 200.0;
    let plot_width = f64::from(WIDTH) - LEFT - RIGHT;
    let (max, step) = nice_scale(figures.iter().map(|f| f.value).max().unwrap_or(0));
    let scale = |v: u64| plot_width * v as f64 / max as f64;
    let bars = figures
        .iter()
        .enumerate()
        .map(|(i, figure)| {
            let top = TOP + ROW * i as f64;
            let y = top + 20.0;
            let width = scale(figure.value);
            let part = |value: u64, x: f64| {
                (value > 0).then(|| Rect {
                    x,
                    y,
                    width: scale(value.min(figure.value)),
                    height: BAR,
                })
            };
            Bar {
                bar: Rect {
                    x: LEFT,
                    y,
                    width,
                    height: BAR,
                },
                undeclared: part(figure.undeclared, LEFT),
                consent: part(
                    figure.consent,
                    LEFT + width - scale(figure.consent.min(figure.value)),
                ),
                label: figure.label.clone(),
                label_x: LEFT,
                label_y: top + 14.0,
                value_text: value_text(figure, lang, words),
                value_x: LEFT + width + 6.0,
                value_y: y + BAR - 3.0,
            }
        })
        .collect();
    let height = TOP + ROW * figures.len() as f64 + 24.0;
    Drawing {
        vertical: false,
        width: WIDTH,
        height: height as u32,
        bars,
        ticks: ticks(max, step, lang, |v| LEFT + scale(v)),
        axis_from: TOP,
        axis_to: height - 20.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORDS: Highlight<'static> = Highlight {
        undeclared: "undeclared",
        consent: "consent-based",
    };

    fn figure(label: &str, value: u64, undeclared: u64, consent: u64) -> Figure {
        Figure {
            label: label.into(),
            value,
            undeclared,
            consent,
        }
    }

    #[test]
    fn numbers_are_grouped_by_thousands_in_the_readers_way() {
        assert_eq!(number(0, Lang::Fi), "0");
        assert_eq!(number(999, Lang::En), "999");
        assert_eq!(number(1_234_567, Lang::Fi), "1\u{a0}234\u{a0}567");
        assert_eq!(number(12_345, Lang::En), "12,345");
    }

    #[test]
    fn the_scale_ends_at_a_round_number_with_at_most_five_steps() {
        assert_eq!(nice_scale(0), (1, 1));
        assert_eq!(nice_scale(3), (3, 1));
        assert_eq!(nice_scale(7), (8, 2));
        assert_eq!(nice_scale(37), (40, 10));
        assert_eq!(nice_scale(23_000), (25_000, 5_000));
    }

    #[test]
    fn the_longest_bar_is_in_proportion_and_the_highlights_are_named_in_words() {
        let drawing = rows(
            &[
                figure("Verohallinto", 30, 0, 0),
                figure("Yksityishenkilö", 10, 2, 1),
            ],
            Lang::En,
            &WORDS,
        );
        let [tax, person] = drawing.bars.as_slice() else {
            panic!("two bars")
        };
        assert!((tax.bar.width - 3.0 * person.bar.width).abs() < 1e-9);
        assert_eq!(tax.value_text, "30");
        assert_eq!(person.value_text, "10 (2 undeclared, 1 consent-based)");
        let hatched = person.undeclared.unwrap();
        assert!((hatched.width - person.bar.width / 5.0).abs() < 1e-9);
        assert!(tax.undeclared.is_none() && tax.consent.is_none());
    }

    #[test]
    fn columns_stand_on_one_base_line_and_an_empty_month_has_no_height() {
        let drawing = columns(
            &[figure("2026-09", 0, 0, 0), figure("2026-10", 5, 1, 0)],
            Lang::Fi,
        );
        let [empty, full] = drawing.bars.as_slice() else {
            panic!("two bars")
        };
        assert_eq!(empty.bar.height, 0.0);
        assert!(
            (empty.bar.y - (full.bar.y + full.bar.height)).abs() < 1e-9,
            "same base line"
        );
        assert!(full.undeclared.is_some());
    }
}
